/**
 * Dead login state does not pile up (issue 19, points 2 and 6): sessions expired or revoked more
 * than a day ago and used-up nonces are deleted; live sessions stay. Claims of access events older
 * than an event may be (31 days) go too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { purgeDeadAuthState } from '../../../server/auth/purge';
import type { Db } from '../../../server/db/types';
import { demoDb } from './helpers';

let db: Db;
beforeAll(async () => {
  db = await demoDb();
}, 60_000);
afterAll(() => db?.close());

it('deletes sessions dead for a day and expired nonces, and keeps the live ones', async () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const h = (hours: number) => new Date(now.getTime() + hours * 3600_000);
  const { rows } = await db.query<{ id: string; hsa_id: string }>('SELECT id, hsa_id FROM staff LIMIT 1');
  const staff = rows[0]!;
  const session = (n: number, expires: Date, revoked: Date | null) =>
    db.query(
      `INSERT INTO auth_sessions (token_hash, staff_id, hsa_id, cert_sha256, created_at, expires_at, absolute_expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [String(n).repeat(64).slice(0, 64), staff.id, staff.hsa_id, 'a'.repeat(64), h(-48), expires, revoked],
    );
  await session(1, h(-30), null); // expired 30 h ago: purged
  await session(2, h(1), h(-25)); // revoked 25 h ago: purged
  await session(3, h(-1), null); // expired an hour ago: kept a day
  await session(4, h(1), null); // live
  await db.query(`INSERT INTO login_nonces (nonce, expires_at) VALUES ('old', $1), ('fresh', $2)`, [h(-1), h(1)]);
  // Claims of access events: one too old to be sent again (32 days), one recent, one of another route.
  const claim = (route: string, at: Date) =>
    db.query('INSERT INTO create_requests (request_id, staff_id, route, record_id, created_at) VALUES (gen_random_uuid(), $1, $2, $3, $4)', [staff.id, route, 'x', at]);
  await claim('access-log.events', h(-32 * 24));
  await claim('access-log.events', h(-2));
  await claim('messages.start', h(-32 * 24));

  expect(await purgeDeadAuthState(db, now)).toEqual({ sessions: 2, nonces: 1, rateLimits: 0, summaries: 0, accessEventClaims: 1 });
  expect((await db.query('SELECT route FROM create_requests ORDER BY route')).rows).toEqual([{ route: 'access-log.events' }, { route: 'messages.start' }]);
  const left = await db.query<{ token_hash: string }>('SELECT token_hash FROM auth_sessions ORDER BY token_hash');
  expect(left.rows.map((r) => r.token_hash[0])).toEqual(['3', '4']);
  expect((await db.query('SELECT nonce FROM login_nonces')).rows).toEqual([{ nonce: 'fresh' }]);
});
