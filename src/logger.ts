// Logger options in one object (style.md: pino). Personal data and credentials are redacted by configuration,
// so no call site has to remember: id numbers, phones, e-mails, names of keys and tokens.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

const PERSONAL = ['idNumber', 'phone', 'email', 'cmnd', 'dien_thoai', 'SoGiayTo', 'DienThoai', 'SoDinhDanh', 'Email'];
const SECRETS = ['authorization', 'apiKey', 'password', 'token', 'adminToken', 'secret'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...[...PERSONAL, ...SECRETS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'lgsp-hub' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Only what is useful and safe: never the body, never the raw headers.
      req: (req) => ({ method: req.method, url: redactUrl(req.url), correlationId: req.id }),
      res: (res) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
}

/** The citizen look-up carries a verifier (digits of a phone or id) in its query: never log it. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](verifier|token|key)=)[^&]*/gi, '$1[redacted]');
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
