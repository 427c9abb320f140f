// The procedure catalogue (domain.md "Deadlines"): processing times by national procedure code, read from
// `procedures/*.json` once at start. The hub computes a dueAt only for procedures it finds here.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ConfigError, describeAjvError, parseJsonFile, readConfigFile } from './calendar.js';
import { PROCESSING_UNITS, type ProcessingTime } from './deadline.js';

export interface Procedure {
  code: string;
  name: string;
  sectorCode?: string;
  sectorName?: string;
  processingTime: ProcessingTime;
  /** What supplementation does to the clock (domain.md rule 6): count afresh (the default) or pause. */
  clock: SupplementClock;
  /** The published time excludes financial obligations (rule 7): time in status 6 moves a hub due date. */
  excludeFinancialObligation: boolean;
}

export const SUPPLEMENT_CLOCKS = ['restart', 'pause'] as const;
export type SupplementClock = (typeof SUPPLEMENT_CLOCKS)[number];

const procedureSchema = {
  $id: 'https://lgsp-hub.local/schemas/config-procedure.json',
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'processingTime'],
  properties: {
    code: { type: 'string', pattern: '^\\d\\.\\d{6}$' },
    name: { type: 'string', minLength: 1 },
    sectorCode: { type: 'string', minLength: 1 },
    sectorName: { type: 'string', minLength: 1 },
    processingTime: {
      type: 'object',
      additionalProperties: false,
      required: ['value', 'unit'],
      properties: {
        value: { type: 'number', exclusiveMinimum: 0 },
        unit: { enum: [...PROCESSING_UNITS] },
      },
    },
    clock: { enum: [...SUPPLEMENT_CLOCKS] },
    excludeFinancialObligation: { type: 'boolean' },
    // Markers for people, ignored by the hub: sample data to be checked against the national database.
    sample: { type: 'boolean' },
    note: { type: 'string' },
  },
};

const ajv = new Ajv2020({ strict: true, allErrors: false });
type ProcedureFile = Omit<Procedure, 'clock' | 'excludeFinancialObligation'> & Partial<Pick<Procedure, 'clock' | 'excludeFinancialObligation'>>;
const validateProcedure = ajv.compile<ProcedureFile & { sample?: boolean; note?: string }>(procedureSchema);

/** Read every `procedures/*.json`; a missing folder is an empty catalogue. Throws ConfigError naming the file. */
export function loadProcedures(configDir: string): Map<string, Procedure> {
  let names: string[] = [];
  try {
    names = readdirSync(path.join(configDir, 'procedures')).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const catalogue = new Map<string, Procedure>();
  const origin = new Map<string, string>();
  for (const n of names) {
    const file = `procedures/${n}`;
    const data = parseJsonFile(file, readConfigFile(configDir, file));
    const entries: unknown[] = Array.isArray(data) ? data : [data];
    entries.forEach((raw, i) => {
      const label = Array.isArray(data) ? `[${i}]` : undefined;
      if (!validateProcedure(raw)) {
        const err = describeAjvError(file, raw, validateProcedure.errors?.[0]);
        const code = (raw as { code?: unknown } | null)?.code;
        const entry = [label, typeof code === 'string' ? code : undefined, err.entry].filter(Boolean).join(' ');
        throw new ConfigError(file, entry || undefined, err.reason);
      }
      const p = raw;
      const seen = origin.get(p.code);
      if (seen !== undefined) throw new ConfigError(file, `${label ? `${label} ` : ''}${p.code}`, `duplicate procedure code, already in ${seen}`);
      origin.set(p.code, file);
      const procedure: Procedure = {
        code: p.code, name: p.name, processingTime: { value: p.processingTime.value, unit: p.processingTime.unit },
        clock: p.clock ?? 'restart', excludeFinancialObligation: p.excludeFinancialObligation ?? false,
      };
      if (p.sectorCode !== undefined) procedure.sectorCode = p.sectorCode;
      if (p.sectorName !== undefined) procedure.sectorName = p.sectorName;
      catalogue.set(p.code, Object.freeze(procedure));
    });
  }
  return catalogue;
}
