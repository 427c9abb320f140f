// Calls the hub's own API on the same origin with the session cookie; changes carry the CSRF token. Every
// refusal keeps its problem+json code and fields, so the page can show `HUB_…` and the field at fault.
export interface Problem { status: number; code: string; detail: string; errors: { path: string; message: string }[]; body: Record<string, unknown> }
export class ApiError extends Error {
  constructor(readonly problem: Problem) { super(`${problem.code}: ${problem.detail}`); }
}
let csrf = '';
export const setCsrf = (token: string) => { csrf = token; };

export async function api<T>(method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = contentType;
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!res.ok) {
    throw new ApiError({
      status: res.status, code: (json?.code as string) ?? `HTTP_${res.status}`, detail: (json?.detail as string) ?? text.slice(0, 200),
      errors: (json?.errors as Problem['errors']) ?? [], body: json ?? {},
    });
  }
  return json as T;
}
