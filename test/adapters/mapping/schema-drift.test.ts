import t from 'tap';
import { readFileSync } from 'node:fs';
import { generateMappingSchema, MAPPING_SCHEMA_PATH } from '../../../scripts/gen-mapping-schema.js';
import { buildTargets } from '../../../adapters/kit/mapping/targets.js';
import { dossierSchema } from '../../../src/canonical/validate.js';

t.test('schemas/mapping.v1.schema.json is what the generator produces (run npm run gen:mapping-schema after a schema change)', async (t) => {
  t.equal(readFileSync(MAPPING_SCHEMA_PATH, 'utf8'), await generateMappingSchema());
});

t.test('the targets follow the canonical schema: hub-owned fields excluded, lists with their element fields and caps', async (t) => {
  const cat = buildTargets(dossierSchema);
  for (const owned of ['code', 'altCodes', 'revision', 'updatedAt', 'routing', 'acceptedAt', 'dueAtSource', 'judgedDueAt', 'dueAtExtensions', 'dueAtProvisional']) {
    t.notOk(cat.scalars.has(owned) || cat.lists.has(owned), `${owned} is not a target`);
  }
  t.ok(cat.scalars.has('applicant.vneidVerified'));
  t.equal(cat.scalars.get('status')!.kind, 'integer');
  t.equal(cat.scalars.get('dueAt')!.dueDate, true);
  t.equal(cat.lists.get('steps')!.maxItems, 1000);
  t.same([...cat.lists.get('participants')!.fields.keys()], ['agency.code', 'agency.name', 'agency.level', 'agency.kind', 'task', 'order', 'dueAt', 'finishedAt']);
  t.notOk(cat.lists.get('steps')!.fields.has('deadlineAt'), 'deprecated members are not targets');
  t.notOk(cat.lists.get('supplements')!.fields.has('documents'), 'nested lists cannot be mapped');
  t.equal(cat.lists.get('supplements')!.fields.get('newDueAt')!.dueDate, true);
  // A schema with one more member gives one more target: the list is derived, not written.
  const widened = structuredClone(dossierSchema);
  widened.properties.applicant.properties.nickname = { type: 'string', maxLength: 50 };
  t.ok(buildTargets(widened).scalars.has('applicant.nickname'));
});
