// npm run chaos: every scenario with the real processes, one after the other, then one table.
// `--quick` runs each for seconds (the version in npm test); `--only=disk,kill,push,broker` picks scenarios.
import { table, type Row } from './chaos-kit.js';
import { diskFull } from './chaos-disk.js';
import { brokerRestart, hubKilled, pushTarget503 } from './chaos-scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (name: string) => !only || only.includes(name);

const rows: Row[] = [];
const run = async (name: string, f: () => Promise<Row>) => {
  if (!want(name)) return;
  process.stderr.write(`chaos: ${name} …\n`);
  try {
    rows.push(await f());
  } catch (err) {
    rows.push({ scenario: name, requests: 0, ok: 0, stored: 0, delivered: 0, duplicates: 0, unanswered: 0, result: 'FAILED', note: String((err as Error).message) });
  }
};
await run('broker', () => brokerRestart({ seconds: quick ? 6 : 60 }));
await run('kill', () => hubKilled({ seconds: quick ? 6 : 60 }));
await run('push', () => pushTarget503({ seconds: quick ? 5 : 60 }));
await run('disk', () => diskFull({ seconds: quick ? 8 : 60 }));
console.log(table(rows));
process.exit(rows.some((r) => r.result === 'FAILED') ? 1 : 0);
