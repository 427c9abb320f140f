import { parseXmlText } from '../adapters/kit/xml.ts';
const M = 1 << 20;
const shapes: Record<string, (n: number) => string> = {
  'a<a': (n) => '<a' + '<a'.repeat(n / 2),
  'open-tags': (n) => '<a>'.repeat(n / 3),
  comments: (n) => '<a>' + '<!--'.repeat(n / 4),
  amps: (n) => '<a>' + '&'.repeat(n),
  ampsemi: (n) => '<a>' + '&#'.repeat(n / 2) + ';',
  quotes: (n) => '<a x="' + '&amp;'.repeat(n / 5),
  manyattrs: (n) => '<a ' + Array.from({ length: n / 8 }, (_, i) => `a${i}="1"`).join(' ') + '/>',
  flat: (n) => '<r>' + '<b/>'.repeat(n / 4) + '</r>',
  close: (n) => '</'.repeat(n / 2),
  pis: (n) => '<a>' + '<?'.repeat(n / 2),
  cdata: (n) => '<a>' + '<![CDATA['.repeat(n / 9),
  doctype: (n) => '<!' + ' '.repeat(n),
  system: (n) => 'SYSTEM' + ' '.repeat(n),
  decl: (n) => '<?xml ' + ' encoding'.repeat(n / 9),
  longname: (n) => '<' + 'a'.repeat(n) + '/>',
};
for (const [name, f] of Object.entries(shapes)) {
  const out = [];
  for (const n of [M / 4, M / 2, M]) {
    const s = f(n);
    const t = performance.now();
    let r = 'ok'; try { parseXmlText(s); } catch (e) { r = (e as Error).message.slice(0, 50); }
    out.push(`${n / 1024}K ${(performance.now() - t).toFixed(0)}ms`);
    if (n === M) out.push(r);
  }
  console.log(name.padEnd(10), out.join(' | '));
}
