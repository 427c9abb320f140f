// How a department's answer to a push is judged (mapping.md §12), with the kit's parsers and at most 64 KiB read.
import type { ReplyVerdict } from '../contract.js';
import { parseJsonText } from '../json.js';
import { parseXmlText } from '../xml.js';
import type { CompiledMapping } from './plan.js';
import { readScalar, type NativeNode } from './native.js';

export const MAX_REPLY_CHARS = 65_536;
const cut = (s: string) => (s.length > 200 ? `${s.slice(0, 197)}...` : s);

export function judgeMappingReply(compiled: CompiledMapping, status: number, body: string): ReplyVerdict {
  const reply = compiled.plan.reply;
  const okStatus = reply?.okStatus ? reply.okStatus.includes(status) : status >= 200 && status < 300;
  if (!okStatus) {
    const transient = status >= 500 || status === 408 || status === 429;
    return { ok: false, permanent: !transient, reason: cut(`HTTP ${status}`) };
  }
  const when = reply?.okWhen;
  if (!when) return { ok: true };
  let node: NativeNode;
  try {
    const text = body.slice(0, MAX_REPLY_CHARS);
    if (compiled.plan.format === 'json') node = { kind: 'json', value: parseJsonText(text), path: '' };
    else { const root = parseXmlText(text).root; node = { kind: 'xml', el: root, path: `/${root.name}` }; }
  } catch {
    return { ok: false, permanent: true, reason: 'reply not parseable' };
  }
  const r = readScalar(node, when.path, { visits: 0 });
  const value = r.status === 'value' ? r.text.trim() : '';
  if (r.status === 'value' && when.equals.includes(value)) return { ok: true };
  return { ok: false, permanent: true, reason: cut(`reply ${when.path.text} = "${value}" (expected one of ${when.equals.map((e) => `"${e}"`).join(', ')})`) };
}
