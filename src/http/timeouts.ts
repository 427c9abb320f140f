// Node's own limits on a request's arrival (api.md: HUB_REQUEST_TIMEOUT_MS, "answered 408 and closed").
// Node checks them only every `connectionsCheckingInterval` (default 30 s), and `headersTimeout` defaults to
// 60 s whatever `requestTimeout` says, so a stalled body or header block used to live 75–90 s at a 30 s setting.
// Checking every tenth of the timeout (at least 100 ms, at most 5 s) cuts either within 1.1× the setting.
import type { ServerOptions } from 'node:http';

export function serverTimeouts(requestTimeoutMs: number): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(requestTimeoutMs / 10))),
  };
}
