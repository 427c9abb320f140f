// `conformance --system id` (the report, exit 1 unless it passes) and `verify-receipt` (offline: the receipt and
// the hub CA's certificate only; 0 valid, 1 not, 2 a file that cannot be read).
import path from 'node:path';
import { call } from '../client.js';
import { table } from '../table.js';
import { verifyReceipt } from '../../trust/receipts.js';
import { answer, enc, need, readJsonFile, readLocal, type Command, type Json } from '../output.js';

/** A check's evidence in one cell. */
function detailOf(c: Json): string {
  if (typeof c.detail === 'string') return c.detail;
  switch (c.id) {
    case 'mapping':
      return c.adapter ? `${c.adapter} ${c.version}` : `${((c.warnings as unknown[] | undefined) ?? []).length} warnings`;
    case 'statusesSeen':
      return `seen ${((c.seen as number[]) ?? []).join(',') || 'none'}; missing ${JSON.stringify(c.missing ?? [])}`;
    case 'codeRules':
      return ((c.violations as Json[]) ?? []).map((v) => `${v.rule} ×${v.count}${v.example ? ` (${v.example})` : ''}`).join('; ') || 'no violation';
    case 'errorRate':
      return `${c.accepted} accepted, ${c.refused} refused, rate ${c.rate}`;
    default:
      return typeof c.name === 'string' ? c.name : '';
  }
}

export const CHECK_COMMANDS: Record<string, Command> = {
  conformance: {
    usage: 'conformance --system id   the system\'s conformance report, one row per check (exit 1 unless it passes)',
    flags: { system: 'string' },
    async run(p, t, io) {
      const target = t();
      const a = await call(target, 'GET', `/v1/admin/systems/${enc(need(p, 'system'))}/conformance`);
      const code = answer(p, io, target, a, (b) => [
        `${b.system} (${b.adapter}), ${(b.window as Json).from} – ${(b.window as Json).to}: ${b.pass ? 'PASS' : 'NOT PASSING'}`,
        table(['check', 'state', 'detail'], ((b.checks as Json[]) ?? []).map((c) => [String(c.id), String(c.state), detailOf(c)])),
      ].join('\n'));
      return code === 0 && (a.body as Json).pass !== true ? 1 : code;
    },
  },
  'verify-receipt': {
    usage: 'verify-receipt --receipt r.json [--ca ca.pem]   check a signed receipt offline (default CA $HUB_SECRETS_DIR/ca.pem)',
    flags: { receipt: 'string', ca: 'string' },
    async run(p, _t, io) {
      const receipt = readJsonFile(need(p, 'receipt'));
      const secrets = process.env.HUB_SECRETS_DIR || path.join(process.env.HUB_DATA_DIR || './data', 'secrets');
      const ca = readLocal(typeof p.flags.ca === 'string' ? p.flags.ca : path.join(secrets, 'ca.pem')).toString('utf8');
      const r = await verifyReceipt(receipt, ca);
      if (p.flags.json) io.out(JSON.stringify(r));
      else io.out(r.valid ? `valid: signed ${r.signedAt} by ${r.signer.subject} (serial ${r.signer.serial})` : `NOT valid: ${r.reason}`);
      return r.valid ? 0 : 1;
    },
  },
};
