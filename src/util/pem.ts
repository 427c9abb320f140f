// PEM blocks and trailing characters found with indexOf, in one pass: these run on caller-supplied text (CSRs,
// trust bundles, base64 signatures), where a regex such as /-----BEGIN X-----[\s\S]+?-----END X-----/g or /=+$/
// is quadratic on a crafted input (test/hardening/redos.test.ts).

/** Every block `-----BEGIN <label>-----…-----END <label>-----` of the text, markers included, in order. */
export function pemBlocks(text: string, label: string): string[] {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const out: string[] = [];
  for (let from = 0; ;) {
    const b = text.indexOf(begin, from);
    if (b < 0) return out;
    const e = text.indexOf(end, b + begin.length);
    if (e < 0) return out;
    out.push(text.slice(b, e + end.length));
    from = e + end.length;
  }
}

/** The base64 body of a PEM block (markers and white space removed). */
export function pemBody(block: string, label: string): string {
  return block.slice(`-----BEGIN ${label}-----`.length, block.length - `-----END ${label}-----`.length).replace(/\s/g, '');
}

/** The text without the run of `ch` at its end. */
export function trimTrailing(text: string, ch: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === ch) end--;
  return text.slice(0, end);
}
