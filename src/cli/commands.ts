// The commands of `lgsp-hub` (api.md "Command line"), one file per group: each admin command calls the admin
// API and nothing else, prints a table (or, with --json, the answer as it is), and answers an exit code scripts
// can use. `verify-receipt` works offline.
import type { Command } from './output.js';
import { SYSTEM_COMMANDS } from './commands/systems.js';
import { ROLLOUT_COMMANDS } from './commands/rollout.js';
import { OPERATION_COMMANDS } from './commands/operations.js';
import { MAPPING_COMMANDS } from './commands/mapping.js';
import { SAMPLE_COMMANDS } from './commands/samples.js';
import { CHECK_COMMANDS } from './commands/checks.js';

export type { Command, Io } from './output.js';

export const COMMANDS: Record<string, Command> = {
  ...SYSTEM_COMMANDS, ...MAPPING_COMMANDS, ...SAMPLE_COMMANDS, ...ROLLOUT_COMMANDS, ...OPERATION_COMMANDS, ...CHECK_COMMANDS,
};
