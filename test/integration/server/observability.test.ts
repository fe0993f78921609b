/**
 * What an operator watches (issue 33, point 3; docs/operations.md, "Observe"): GET /metrics in
 * Prometheus' format with per-route latency, refusals, logins by outcome, pushes by result, open
 * event streams, events sent and the pool; liveness and readiness apart; and no personal data in
 * a metric's labels. On PostgreSQL, with a real login, push and event stream.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LivenessResponse, ReadinessResponse } from '#contract';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { prepareDatabase } from '../../../server/startup';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { PEOPLE, loginToken } from '../../unit/server/auth-suite';
import { dayNoteCreate, openEvents, startSyncHarness, type SyncHarness } from '../../unit/server/sync-suite';

/** The value of one sample line of the text format (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('metrics, liveness and readiness on PostgreSQL', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let db: Db;
  let h: SyncHarness;
  let base: string;
  const metrics = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  beforeAll(async () => {
    database = await createTestDatabase('observe');
    db = await openPostgres({ connectionString: database.url, maxConnections: 5 });
    await prepareDatabase({ seed: true }, db, { info: () => undefined, warn: () => undefined });
    h = await startSyncHarness(db, { listen: true });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await h?.app.close();
    await db?.close();
    await database?.drop();
  });

  it('counts logins by outcome, refusals by route and status, pushes by result, streams and events', async () => {
    const anna = await h.login('anna');
    // A card of a CA the server does not trust: refused, and in the access log as login_failed.
    const stranger = await issuePersonCard(await generateTestPki(), { ...PEOPLE.anna, algorithm: 'ec', withSignatureKey: false });
    const { nonce } = ChallengeResponse.parse((await h.app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json());
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(stranger, nonce) });
    expect(refused.statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/units' })).statusCode).toBe(401);

    const stream = await openEvents(base, anna.token);
    try {
      await stream.next('ready');
      const sara = await h.login('sara');
      const note = dayNoteCreate(h.units.hemtjanst, await h.client('hemtjanst', 1), 'Ny nyckel till porten.');
      await sara.push(note);
      // The same mutation again is answered the same (idempotent); one for a unit Anna does not hold is refused.
      await sara.push(note);
      const outside = await anna.push(dayNoteCreate(h.units.daglig, await h.client('daglig', 0), 'Fel enhet.'));
      expect(outside.results[0]!.status).toBe('refused');
      await stream.next('changed', 5_000);
      // A pull that hands out records: each of its stages is timed, its access-log row too.
      expect((await anna.pull()).changes.length).toBeGreaterThan(0);
      const text = await metrics();
      for (const stage of ['session', 'page', 'log']) expect(sample(text, 'omsorg_sync_pull_stage_seconds_count', { stage }), stage).toBe(1);
      expect(sample(text, 'omsorg_logins_total', { outcome: 'success' })).toBe(2);
      expect(sample(text, 'omsorg_http_refusals_total', { route: '/api/v1/units', status: '401' })).toBe(1);
      expect(sample(text, 'omsorg_push_mutations_total', { status: 'applied' })).toBe(2);
      expect(sample(text, 'omsorg_push_mutations_total', { status: 'refused' })).toBe(1);
      expect(sample(text, 'omsorg_event_streams_open')).toBe(1);
      expect(sample(text, 'omsorg_events_sent_total', { event: 'changed' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'omsorg_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/sync/push', status: '200' })).toBe(3);
      expect(sample(text, 'omsorg_http_request_duration_seconds_bucket', { route: '/api/v1/sync/push', le: '+Inf' })).toBe(3);
      expect(sample(text, 'omsorg_db_pool_connections', { state: 'max' })).toBe(5);
    } finally {
      stream.close();
    }
    await expect.poll(async () => sample(await metrics(), 'omsorg_event_streams_open'), { timeout: 3_000 }).toBe(0);
  });

  it('a login refused is counted under its error code', async () => {
    const text = await metrics();
    const failures = text.split('\n').filter((l) => l.startsWith('omsorg_logins_total{') && !l.includes('outcome="success"'));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const line of failures) expect(line).toMatch(/outcome="[A-Z_]+"/);
  });

  it('labels hold route templates, never a path as requested: a personnummer in a URL does not reach /metrics', async () => {
    await h.app.inject({ method: 'GET', url: '/api/v1/clients/19121212-1212/journal' });
    await h.app.inject({ method: 'GET', url: '/nothing/here/191212121212' });
    const text = await metrics();
    expect(text).not.toMatch(/1912121212|19121212-1212/);
    expect(sample(text, 'omsorg_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('liveness answers without the database; readiness says the migrations are current, then behind, with 503', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(LivenessResponse.parse(await live.json())).toEqual({ status: 'ok' });

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ReadinessResponse.parse(await ready.json())).toEqual({ status: 'ready', database: 'ok', migrations: 'current', pendingMigrations: 0, shuttingDown: false });

    // As if an older database were behind this version: the newest migration's row gone.
    const { rows } = await db.query<{ version: number; name: string }>('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version, name');
    try {
      const behind = await fetch(`${base}/health/ready`);
      expect(behind.status).toBe(503);
      expect(ReadinessResponse.parse(await behind.json())).toMatchObject({ status: 'not_ready', migrations: 'behind', pendingMigrations: 1 });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [rows[0]!.version, rows[0]!.name]);
    }
  });
});
