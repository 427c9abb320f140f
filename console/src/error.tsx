// Every refusal of the API shown with its HUB_… code and the fields at fault.
import { ApiError } from './api.js';

export function ErrorBox({ err }: { err: unknown }) {
  if (!err) return null;
  if (err instanceof ApiError) {
    return <div role="alert" class="error"><strong>{err.problem.code}</strong> {err.problem.detail}
      {err.problem.errors.length > 0 && <ul>{err.problem.errors.map((e) => <li><code>{e.path}</code>: {e.message}</li>)}</ul>}</div>;
  }
  return <div role="alert" class="error">{String(err)}</div>;
}
