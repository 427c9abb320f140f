// The province's criteria for one-stop software (api.md "Conformance report"): config/conformance.json, loaded
// and validated once at start; a missing file means the spec's defaults. A bad file stops the start with a
// message naming the file and the member at fault.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describeAjvError, parseJsonFile, readConfigFile } from '../calendar/calendar.js';

export interface Criteria {
  /** Whole local days before today the traffic checks read (the window starts at 00:00 of that day). */
  windowDays: number;
  /** Approved samples whose items decode that the `samples` check needs. */
  minSamples: number;
  /** Groups of statuses (reception, processing, result): each needs a member seen. */
  statuses: number[][];
  /** Largest refused / (accepted + refused) in the window, and the fewest items before it is judged. */
  errorRate: { max: number; minRequests: number };
  /** Every procedure code must be in config/procedures. */
  requireKnownProcedure: boolean;
}

export const DEFAULT_CRITERIA: Readonly<Criteria> = Object.freeze({
  windowDays: 7, minSamples: 3, statuses: [[1, 2], [4], [9, 10]], errorRate: { max: 0.05, minRequests: 20 }, requireKnownProcedure: false,
});

const FILE = 'conformance.json';
const schema = {
  type: 'object', additionalProperties: false,
  properties: {
    windowDays: { type: 'integer', minimum: 1, maximum: 366 },
    minSamples: { type: 'integer', minimum: 0, maximum: 50 },
    statuses: { type: 'array', maxItems: 10, items: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'integer', minimum: 1, maximum: 10 } } },
    errorRate: {
      type: 'object', additionalProperties: false, required: ['max', 'minRequests'],
      properties: { max: { type: 'number', minimum: 0, maximum: 1 }, minRequests: { type: 'integer', minimum: 0 } },
    },
    requireKnownProcedure: { type: 'boolean' },
  },
} as const;
const validate = new Ajv2020({ strict: true, allErrors: false }).compile(schema);

/** Reads `<configDir>/conformance.json` over the defaults; throws a ConfigError naming the member. */
export function loadCriteria(configDir: string): Readonly<Criteria> {
  if (!existsSync(path.join(configDir, FILE))) return DEFAULT_CRITERIA;
  const data = parseJsonFile(FILE, readConfigFile(configDir, FILE));
  if (!validate(data)) throw describeAjvError(FILE, data, validate.errors?.[0]);
  return Object.freeze({ ...DEFAULT_CRITERIA, ...(data as Partial<Criteria>) });
}
