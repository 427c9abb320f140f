#!/usr/bin/env node
// The `lgsp-hub` command (api.md "Command line"): runs the TypeScript sources through tsx, so a checkout needs
// no build step (Node >= 20).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
