// Readable tables for the CLI: columns padded to their widest cell (Vietnamese text as is, NFC).
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '—' : String(c).normalize('NFC'))));
  const width = headers.map((h, i) => Math.max([...h].length, ...cells.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(width[i]! - [...c].length)).join('  ').trimEnd();
  return [line(headers), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
