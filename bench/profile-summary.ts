// Sums the self time of a V8 .cpuprofile by function and by file, so a profile under load reads as shares.
//   npx tsx bench/profile-summary.ts PROFILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

export function summarise(p: Profile, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm/').replace(/.*\/(src|adapters)\//, '$1/') || '(native)';
    const f = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fn.set(f, (fn.get(f) ?? 0) + t);
    const group = short.startsWith('nm/') ? short.split('/').slice(0, short.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : short;
    file.set(group, (file.get(group) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => `${pct(t)}  ${k}`).join('\n');
  return `total ${(total / 1e6).toFixed(1)} s sampled\n-- by file/package --\n${list(file)}\n-- by function --\n${list(fn)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summarise(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile, Number(process.argv[3] ?? 25)));
}
