// Logger options in one object (style.md: pino). Personal data and credentials are redacted by configuration,
// so no call site has to remember: id numbers, phones, e-mails, names of keys and tokens.
import { LogController } from 'fastify';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

const PERSONAL = ['idNumber', 'phone', 'email', 'cmnd', 'dien_thoai', 'SoGiayTo', 'DienThoai', 'SoDinhDanh', 'Email'];
const SECRETS = ['authorization', 'apiKey', 'password', 'token', 'adminToken', 'secret'];

// Explicit paths, no wildcards: a wildcard path makes the redactor walk every object of every line (it was
// about 6 % of the CPU per request under load, issue 13). These are the places objects that may hold personal
// data or secrets are logged under: the top level, a dossier, its applicant, a problem's detail, headers, a body.
const HOLDERS = ['', 'applicant.', 'dossier.', 'dossier.applicant.', 'detail.', 'body.', 'headers.', 'system.'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...HOLDERS.flatMap((h) => [...PERSONAL, ...SECRETS].map((k) => `${h}${k}`)),
];

/**
 * One line per request, when it completes (method, URL as logUrl allows, status, time, correlation id): the
 * default "incoming request" line doubled the logging cost of every request and said nothing the last one does not.
 */
export class OneLineRequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'correlationId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null, request: Parameters<LogController['requestCompleted']>[1], reply: Parameters<LogController['requestCompleted']>[2]): void {
    if (error) reply.log.error({ req: request, res: reply, err: error }, error.message);
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'lgsp-hub' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Only what is useful and safe: never the body, never the raw headers.
      req: (req) => ({ method: req.method, url: logUrl(req.url, req.routeOptions?.url), correlationId: req.id }),
      res: (res) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
}

// Query parameters whose values are filters and paging, never personal data or secrets. Every other pair is
// logged as `[redacted]`, whatever its spelling (`%76erifier=`, `Verifier=`, `verifier[]=`): an allow-list,
// because a deny-list has to guess every way a client or an attacker may spell a key.
const SAFE_QUERY = new Set([
  'format', 'updatedSince', 'agency', 'status', 'procedure', 'cursor', 'limit', 'system', 'max', 'waitSeconds', 'wsdl',
  'since', 'until', 'actor', 'action', 'target', 'from', 'to', 'groupBy', 'granularity', 'sector',
]);
// Routes whose query is personal (the citizen look-up's verifier: digits of a phone or id number): only the
// route pattern is logged, so neither the query nor anything smuggled into the path ever is.
const PATTERN_ONLY = /^\/v1\/public\//;

/** The URL as it may be logged: the route pattern for the look-up, elsewhere the path and the safe query pairs. */
export function logUrl(url: string | undefined, route?: string): string | undefined {
  if (url === undefined) return undefined;
  if (route && PATTERN_ONLY.test(route)) return route;
  if (PATTERN_ONLY.test(url.toLowerCase())) return '/v1/public/[redacted]'; // unmatched: nothing of it is trusted
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url.slice(q + 1).split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    let key: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    } catch {
      return '[redacted]';
    }
    return SAFE_QUERY.has(key) ? pair : '[redacted]';
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
