// Every refusal of the API shown with its HUB_… code and the fields at fault (and, for an activation that
// failed its suite, each failed check; for a sample mismatch, its diff).
import { ApiError } from './api.js';

interface Failure { check: string; sample?: { id: string; name: string }; message: string }
interface DiffRow { item?: number; path: string; expected?: unknown; actual?: unknown }

export function ErrorBox({ err }: { err: unknown }) {
  if (!err) return null;
  if (err instanceof ApiError) {
    const failures = (err.problem.body.failures as Failure[] | undefined) ?? [];
    const diff = (err.problem.body.diff as DiffRow[] | undefined) ?? [];
    return <div role="alert" class="error"><strong>{err.problem.code}</strong> {err.problem.detail}
      {err.problem.errors.length > 0 && <ul>{err.problem.errors.map((e) => <li><code>{e.path || '/'}</code>: {e.message}</li>)}</ul>}
      {failures.length > 0 && <ul>{failures.map((f) => <li><code>{f.check}</code>{f.sample ? ` (${f.sample.name})` : ''}: {f.message}</li>)}</ul>}
      {diff.length > 0 && <ul>{diff.map((d) => <li><code>{d.path}</code>: {JSON.stringify(d.expected)} → {JSON.stringify(d.actual)}</li>)}</ul>}
    </div>;
  }
  return <div role="alert" class="error">{String(err)}</div>;
}
