import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure, authRoutes } from '#contract';
import { createServerClient, rateLimited } from '../../../main/server-client';
import { ErrorNotice } from '../../../renderer/src/components/ErrorNotice';
import { i18next } from '../../../renderer/src/i18n';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki } from '../../../tools/pki/index';
import { authOptions } from '../server/auth-suite';
import { demoDb } from '../server/helpers';

/**
 * The server's 429 (too many attempts before login) reaches the user as what it is, in Swedish
 * and with the wait the server named in Retry-After — not as a generic server error.
 */
describe('a 429 from the server at the workstation', () => {
  let db: Db;
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    db = await demoDb();
    app = createServer({
      db,
      version: 'test',
      logger: false,
      auth: authOptions(await generateTestPki(), { rateLimit: { perAddress: 2, perCard: 2, windowMs: 60_000 } }),
      sync: { retentionIntervalMs: false },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('is RATE_LIMITED with the seconds of Retry-After, over real HTTP', async () => {
    const client = createServerClient(url);
    await client.call(authRoutes.challenge);
    await client.call(authRoutes.challenge);
    const refused = await client.call(authRoutes.challenge).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppFailure);
    const failure = refused as AppFailure;
    expect(failure.code).toBe('RATE_LIMITED');
    const seconds = failure.details?.retryAfterS as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    // main's message is for the log; the Swedish words are the renderer's (errorText)
    expect(failure.message).toBe(`too many attempts; retry after ${seconds} s`);

    // What the login screen shows for it.
    const html = renderToStaticMarkup(createElement(ErrorNotice, { error: failure.toError() }));
    expect(html).toContain(`För många försök — försök igen om ${seconds} s.`);
  });

  it('reads Retry-After as seconds or as an HTTP date, and without one still says too many attempts', () => {
    expect(rateLimited('17').details).toEqual({ retryAfterS: 17 });
    const now = Date.parse('2026-12-07T12:00:00Z');
    expect(rateLimited('Mon, 07 Dec 2026 12:00:42 GMT', now).details).toEqual({ retryAfterS: 42 });
    const none = rateLimited(null);
    expect(none.code).toBe('RATE_LIMITED');
    expect(none.details).toBeUndefined();
    expect(renderToStaticMarkup(createElement(ErrorNotice, { error: none.toError() }))).toContain('För många försök — försök igen om en stund.');
    expect(i18next.t('rateLimitedFor', { seconds: 5 })).toBe('För många försök — försök igen om 5 s.');
  });
});
