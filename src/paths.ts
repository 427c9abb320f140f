import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root (where package.json, schemas/ and config/ live), from src/ or from dist/src/. */
const here = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
export const SCHEMAS_DIR = path.join(PROJECT_ROOT, 'schemas');
