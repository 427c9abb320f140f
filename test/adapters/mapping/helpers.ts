// Shared loaders for the mapping tests: the shipped mappings of mapping.md §20/§21 and their samples.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { compileMapping } from '../../../adapters/kit/mapping/compile.js';
import type { CompiledMapping } from '../../../adapters/kit/mapping/plan.js';

export const SYSTEMS = path.join(PROJECT_ROOT, 'config', 'systems');
export const MAPPING_SYSTEMS = ['so-khdt', 'so-tu-phap'] as const;

export const mappingDoc = (id: string): Record<string, any> => JSON.parse(readFileSync(path.join(SYSTEMS, id, 'mapping.json'), 'utf8'));
export const sample = (id: string, name: string): Buffer => readFileSync(path.join(SYSTEMS, id, 'samples', name));
export const expected = (id: string, name: string): any => JSON.parse(readFileSync(path.join(SYSTEMS, id, 'samples', `${name.replace(/\.(json|xml)$/, '')}.expected.json`), 'utf8'));
export const samples = (id: string) => readdirSync(path.join(SYSTEMS, id, 'samples')).filter((f) => !f.endsWith('.expected.json')).sort();

/** Compile or fail loudly (the test then shows the errors). */
export function compiled(doc: unknown): CompiledMapping {
  const r = compileMapping(doc);
  if (!r.ok) throw new Error(`mapping refused: ${JSON.stringify(r.errors)}`);
  return r.compiled;
}

/** The errors of a document the compiler must refuse. */
export function refusal(doc: unknown): { code: string; errors: { path: string; message: string }[] } {
  const r = compileMapping(doc);
  if (r.ok) throw new Error('the mapping compiled');
  return r;
}

/** A copy of a shipped mapping with `edit` applied. */
export function edited(id: string, edit: (d: Record<string, any>) => void): Record<string, any> {
  const d = mappingDoc(id);
  edit(d);
  return d;
}

/** The smallest valid JSON mapping, for focused rule tests. */
export function minimal(fields: Record<string, unknown> = {}, source: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    language: 'lgsp-mapping/1',
    source: { format: 'json', ...source },
    ref: { localCode: { from: 'so' } },
    fields: {
      'procedure.code': { from: 'tt' }, 'agency.code': { value: '000.00.10.H12' }, 'agency.level': { value: 'province' },
      'applicant.type': { value: 'citizen' }, 'applicant.name': { from: 'ten' }, channel: { value: 'online' },
      receivedAt: { from: 'ngay', date: ['dd/MM/yyyy'] }, status: { value: 1 }, ...fields,
    },
    ...extra,
  };
}
