// The standalone Ajv validator scripts/console-build.ts generates from schemas/mapping.v1.schema.json.
declare module '*/generated/mapping-validate.js' {
  import type { ErrorObject } from 'ajv';
  interface Validate { (doc: unknown): boolean; errors?: ErrorObject[] | null }
  const validate: Validate;
  export default validate;
}
