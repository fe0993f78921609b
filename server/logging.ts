import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskPersonalData } from '#contract';

/**
 * Structured logs that never contain personal data:
 * - request lines carry the method and the path only: query strings are dropped, and anything
 *   shaped like a personnummer in the path is masked;
 * - authorization and cookie headers are never written (headers are not logged at all, and the
 *   redact list guards any code that logs them by mistake);
 * - request and response bodies are never logged (Fastify does not, and nothing here does);
 * - error messages and stacks are masked the same way, and database error details (which quote
 *   the offending row values) are dropped.
 */
export { maskPersonalData };

/** The path of a request URL without its query string, with personnummer masked. */
export const loggablePath = (url: string): string => maskPersonalData(url.split('?', 1)[0] ?? '');

interface RequestLike {
  method?: string;
  url?: string;
  id?: string;
  routeOptions?: { url?: string };
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  stack?: string;
  statusCode?: number;
}

export const serializers = {
  req: (req: RequestLike) => ({
    id: req.id,
    method: req.method,
    url: loggablePath(req.url ?? ''),
    route: req.routeOptions?.url,
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
  err: (error: ErrorLike) => ({
    type: error.name,
    code: error.code,
    statusCode: error.statusCode,
    message: maskPersonalData(String(error.message ?? '')),
    stack: error.stack === undefined ? undefined : maskPersonalData(error.stack),
  }),
};

export function loggerOptions(level: string = process.env.LOG_LEVEL ?? 'info'): LoggerOptions {
  return {
    level,
    serializers,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'res.headers["set-cookie"]',
        'req.query',
        'req.body',
        'body',
      ],
      censor: '[redacted]',
    },
  };
}

/** A pino logger writing JSON lines to `stream` (stdout when absent). */
export function createLogger(options: { stream?: DestinationStream; level?: string } = {}): Logger {
  return pino(loggerOptions(options.level), options.stream ?? pino.destination(1));
}
