// `samples …`: approved sample payloads of a system (api.md "Samples"; mapping.md §17).
import { call } from '../client.js';
import { table } from '../table.js';
import path from 'node:path';
import { answer, cell, contentTypeOf, enc, need, readJsonFile, readLocal, type Command, type Json } from '../output.js';

export const SAMPLE_COMMANDS: Record<string, Command> = {
  'samples add': {
    usage: 'samples add --system id --payload p [--name n] [--expected e.json] [--content-type t]   save an approved sample',
    flags: { system: 'string', payload: 'string', name: 'string', expected: 'string', 'content-type': 'string' },
    async run(p, t, io) {
      const id = enc(need(p, 'system'));
      const file = need(p, 'payload');
      const body: Json = {
        name: typeof p.flags.name === 'string' ? p.flags.name : path.basename(file), contentType: contentTypeOf(p, file),
        payloadBase64: readLocal(file).toString('base64'),
        ...(typeof p.flags.expected === 'string' ? { expected: readJsonFile(p.flags.expected) } : {}),
      };
      const target = t();
      const a = await call(target, 'POST', `/v1/admin/systems/${id}/samples`, body);
      const code = answer(p, io, target, a, (s) => table(['id', 'name', 'content type', 'payload sha256', 'approved version', 'created'],
        [[cell(s.id), cell(s.name), cell(s.contentType), cell(s.payloadSha256)?.slice(0, 12) ?? null, cell(s.approvedVersion), cell(s.createdAt)]]));
      const diff = ((a.body as Json | null)?.diff as Json[] | undefined) ?? [];
      if (a.status >= 400 && diff.length) io.err(table(['item', 'path', 'expected', 'actual'], diff.map((d) => [cell(d.item), cell(d.path), cell(d.expected), cell(d.actual)])));
      return code;
    },
  },
  'samples list': {
    usage: 'samples list --system id   the approved samples and whether each reproduces (exit 1 when one does not)',
    flags: { system: 'string' },
    async run(p, t, io) {
      const target = t();
      const a = await call(target, 'GET', `/v1/admin/systems/${enc(need(p, 'system'))}/samples`);
      const code = answer(p, io, target, a, (b) => table(['id', 'name', 'content type', 'approved version', 'ok', 'reproduces'],
        ((b.items as Json[] | undefined) ?? []).map((s) => [cell(s.id), cell(s.name), cell(s.contentType), cell(s.approvedVersion), s.ok ? 'yes' : 'no', s.reproduces ? 'yes' : 'NO'])));
      const items = ((a.body as Json | null)?.items as Json[] | undefined) ?? [];
      return code === 0 && items.some((s) => !s.reproduces) ? 1 : code;
    },
  },
};
