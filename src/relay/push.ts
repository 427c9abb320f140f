// One HTTP push of a native message to a system's delivery URL, bounded in time and in how much of the
// answer is read. Network errors and timeouts come back as values: the worker treats them as transient.
import type { NativeMessage } from '../../adapters/kit/contract.js';

export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of the last response a dead letter keeps. */
export const KEPT_RESPONSE_CHARS = 2000;

export type PushResult = { status: number; body: string } | { error: string };

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

export async function push(url: string, msg: NativeMessage, headers: Record<string, string>, timeoutMs: number): Promise<PushResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...msg.headers, 'content-type': msg.contentType, ...headers },
      body: typeof msg.body === 'string' ? msg.body : new Uint8Array(msg.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await readBounded(res) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { error: `timeout after ${timeoutMs} ms` };
    return { error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}
