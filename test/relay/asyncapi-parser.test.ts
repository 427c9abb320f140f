// /asyncapi.json is valid for the AsyncAPI parser (@asyncapi/parser, with its spectral rules), with the canonical
// dossier resolved by reference from the hub's own /schemas/dossier.v1.json over real HTTP.
import t from 'tap';
import { Parser } from '@asyncapi/parser';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../helpers/hub.js';

t.test('the AsyncAPI document parses without errors and resolves the dossier schema', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const base = await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const text = await (await fetch(`${base}/asyncapi.json`)).text();
  const { document, diagnostics } = await new Parser().parse(text, { source: `${base}/asyncapi.json` });
  const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
  t.same(errors, [], 'no error diagnostics');
  t.ok(document, 'a document was produced');
  t.equal(document?.version(), '3.0.0');
  const channels = document?.channels().all().map((c) => c.address()) ?? [];
  for (const key of ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred']) {
    t.ok(channels.includes(key), `routing key ${key} is a channel`);
  }
  const messages = document?.messages().all() ?? [];
  t.ok(messages.length >= 1, 'the CloudEvent message is described');
  const payload = JSON.stringify(messages[0]?.payload()?.json());
  t.match(payload, /"revision"/, 'the dossier schema was resolved into the payload');
});

t.test('a saved copy of the document validates on its own (no hub to resolve references from)', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-asyncapi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'asyncapi.json');
  writeFileSync(file, (await hub.app.inject({ method: 'GET', url: '/asyncapi.json' })).body);
  await hub.close(); // nothing is served while the saved file is parsed
  const { document, diagnostics } = await new Parser().parse(readFileSync(file, 'utf8'), { source: file });
  const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
  t.same(errors, [], 'no error diagnostics');
  const dossier = document?.messages().all()[0]?.payload()?.properties()?.data?.properties()?.dossier;
  t.ok(dossier?.properties()?.code, 'the dossier schema resolves from the file itself');
});
