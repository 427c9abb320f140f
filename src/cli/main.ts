// `lgsp-hub <command>`: `serve` starts the hub; the admin commands call the admin API (commands.ts).
// Exit codes (api.md): 0 success, 1 the hub refused or a check failed, 2 usage, 3 the hub cannot be reached.
import { UsageError, parseArgs } from './args.js';
import { Unreachable, target } from './client.js';
import { COMMANDS, type Io } from './commands.js';

const HELP = `lgsp-hub <command> [flags]

Commands:
  serve                       start the hub (the same as npm start)
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}

Flags of every admin command:
  --url <base>     the hub (default HUB_URL, else http://127.0.0.1:8080)
  --token <t>      the admin token (default HUB_ADMIN_TOKEN, else $HUB_SECRETS_DIR/admin-token)
  --json           print the API's answer as it is
  --help           this help, or a command's

Exit codes: 0 success, 1 the hub refused or a check failed, 2 usage, 3 the hub cannot be reached.`;

/** Flags that take a value in some command: their values are not command words. */
const VALUE_FLAGS = new Set(Object.values(COMMANDS).flatMap((c) => Object.entries(c.flags).filter(([, k]) => k === 'string').map(([n]) => n)));

const stdio: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

/** Runs a command; resolves with its exit code (undefined for `serve`, which keeps running). */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number | undefined> {
  // The command words, with the values of the global --url and --token (which may come first) left out.
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--url' || argv[i] === '--token') i++;
    else if (argv[i]!.startsWith('--') && !argv[i]!.includes('=') && VALUE_FLAGS.has(argv[i]!.slice(2))) i++;
    else if (!argv[i]!.startsWith('--')) words.push(argv[i]!);
  }
  if (words[0] === 'serve') {
    if (argv.includes('--help')) {
      io.out('lgsp-hub serve   start the hub, configured from the environment (README "Configuration")');
      return 0;
    }
    await import('../server.js');
    return undefined;
  }
  // Two command words (`systems list`), or one (`conformance`, `verify-receipt`).
  const name = COMMANDS[words.slice(0, 2).join(' ')] ? words.slice(0, 2).join(' ') : words[0] ?? '';
  const cmd = COMMANDS[name];
  if (!cmd) {
    if (!words.length && argv.includes('--help')) {
      io.out(HELP);
      return 0;
    }
    io.err(words.length ? `unknown command: ${words.slice(0, 2).join(' ')}\n\n${HELP}` : HELP);
    return 2;
  }
  try {
    const rest = [...argv];
    for (const w of name.split(' ')) rest.splice(rest.indexOf(w), 1);
    const parsed = parseArgs(rest, cmd.flags);
    if (parsed.flags.help) {
      io.out(`lgsp-hub ${cmd.usage}`);
      return 0;
    }
    const want = cmd.args ?? [];
    if (parsed.positionals.length < want.length) throw new UsageError(`missing argument: <${want[parsed.positionals.length]}>`);
    if (parsed.positionals.length > want.length) throw new UsageError(`unexpected argument: ${parsed.positionals[want.length]}`);
    return await cmd.run(parsed, () => target(parsed.flags), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`usage: ${err.message}\n  lgsp-hub ${cmd.usage}`);
      return 2;
    }
    if (err instanceof Unreachable) {
      io.err(err.message);
      return 3;
    }
    throw err;
  }
}
