import type { FastifyInstance } from 'fastify';
import { AppFailure } from '#contract';

/**
 * What a request body may cost before anyone is known (docs/security.md, "Hostile network
 * client"): the session is checked in onRequest, before the body is read, so an anonymous client
 * never gets a protected route's body parsed; the login routes take small bodies only; and no
 * JSON body may nest deeper than MAX_JSON_DEPTH, checked by a linear scan before JSON.parse (a
 * megabyte of `[` cost the parser ~750 ms of CPU).
 */
export const MAX_JSON_DEPTH = 32;
/** Every route that needs a session. Pushes of 500 mutations fit. */
export const BODY_LIMIT = 1024 * 1024;
/** The login routes: a login token (certificate, signature, nonce) is ~3 KiB with an RSA-4096 chain. */
export const LOGIN_BODY_LIMIT = 16 * 1024;
/** Routes with no body to speak of (challenge, renew, logout). */
export const EMPTY_BODY_LIMIT = 1024;

/** The deepest nesting of arrays and objects in `text`, stopping as soon as it passes `max`. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Replaces Fastify's JSON parser with one that refuses deep nesting first (400 VALIDATION). */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      return done(new AppFailure('VALIDATION', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    try {
      // A __proto__ key stays an own property (JSON.parse never sets prototypes).
      return done(null, JSON.parse(text) as unknown);
    } catch {
      const e = Object.assign(new Error('Malformed JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      return done(e, undefined);
    }
  });
}
