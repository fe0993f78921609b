import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppFailure, validationDetails, type ErrorCode } from '#contract';
import type { ServerErrorBody } from '#contract';

/**
 * One error envelope for every failure: `{ error: { code, message, details? } }` (contract
 * ServerErrorBody); `details` is non-personal structure (paths of invalid fields, never values).
 */
type ErrorBody = z.infer<typeof ServerErrorBody>;

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NO_ACTIVE_PERMISSION: 403,
  PERMISSION_ENDED: 403,
  LOA_TOO_LOW: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

export const errorBody = (code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    // The URL is not echoed: it may carry personal data.
    void reply.code(404).send(errorBody('NOT_FOUND', `Servern har ingen tjänst för ${request.method} på den adressen.`));
  });

  app.setErrorHandler((error: FastifyError | AppFailure | z.ZodError, request, reply) => {
    if (error instanceof z.ZodError) {
      return reply.code(400).send(errorBody('VALIDATION', invalidMessage(error), validationDetails(error)));
    }
    if (error instanceof AppFailure) {
      const status = STATUS_OF[error.code] ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(status).send(errorBody(error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, unsupported media type, body too large ...).
      return reply.code(status).send(errorBody(status === 404 ? 'NOT_FOUND' : 'VALIDATION', clientErrorMessage(error)));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'Ett internt fel uppstod på servern. Försök igen om en stund.'));
  });
}

/**
 * Errors Node's HTTP parser answers before Fastify sees a request (headers or URL over 16 KiB,
 * malformed request line): the same envelope, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // The header or request time ran out (server/http/connections.ts): a slow or silent client.
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = { 431: 'Begärans adress eller huvuden är för stora.', 408: 'Begäran kom inte fram i tid.', 400: 'Felaktigt utformad begäran.' }[status];
  const body = JSON.stringify(errorBody('VALIDATION', message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // A client that reads nothing does not hold the socket open past the answer.
  socket.destroySoon?.();
}

/** The first invalid field and why, in Swedish (zod's Swedish locale, contract/index.ts); `details` lists them all. */
function invalidMessage(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'Ogiltiga uppgifter.';
  const where = first.path.length ? ` (${first.path.join('.')})` : '';
  return `Ogiltiga uppgifter${where}: ${first.message}`;
}

/** Fastify's own client errors, in Swedish; they name no request data. */
const CLIENT_ERRORS: Record<number, string> = {
  413: 'Innehållet är för stort.',
  415: 'Innehållstypen stöds inte: skicka application/json.',
};
const clientErrorMessage = (error: FastifyError): string =>
  error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError'
    ? 'Innehållet är inte giltig JSON.'
    : (CLIENT_ERRORS[error.statusCode ?? 400] ?? 'Felaktig begäran.');
