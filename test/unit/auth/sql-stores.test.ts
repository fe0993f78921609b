import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NONCE_TTL_MS } from '#contract';
import { swedishDate } from '#contract';
import { SqlNonceStore } from '../../../server/auth/nonces';
import { SqlSessionStore, hashToken, newSessionToken } from '../../../server/auth/sessions';
import { SqlStaffDirectory } from '../../../server/auth/staff';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  // The server schema's staff, units and permissions (server/migrations/0001_initial.sql), reduced.
  await db.exec(`
    CREATE TABLE units (id uuid PRIMARY KEY, name text NOT NULL, organisation_id uuid NOT NULL);
    CREATE TABLE staff (id uuid PRIMARY KEY, hsa_id text NOT NULL UNIQUE, given_name text NOT NULL, family_name text NOT NULL, title text NOT NULL, role text NOT NULL, organisation_id uuid);
    CREATE TABLE permissions (staff_id uuid NOT NULL, unit_id uuid NOT NULL, valid_from date NOT NULL, valid_to date);
    INSERT INTO units VALUES ('00000000-0000-4000-8000-00000000a001', 'Hemtjänst Majorna', '00000000-0000-4000-8000-0000000000f1'),
      ('00000000-0000-4000-8000-00000000a002', 'Daglig verksamhet Hisingen', '00000000-0000-4000-8000-0000000000f1');
    INSERT INTO staff VALUES ('00000000-0000-4000-8000-000000000108', 'SE2321000131-P000000000108', 'Leila', 'Karimi', 'Vårdbiträde', 'staff', '00000000-0000-4000-8000-0000000000f1');
    INSERT INTO permissions VALUES
      ('00000000-0000-4000-8000-000000000108', '00000000-0000-4000-8000-00000000a002', '2025-01-01', '2025-06-30'),
      ('00000000-0000-4000-8000-000000000108', '00000000-0000-4000-8000-00000000a001', '2025-07-01', NULL);
  `);
  // login_nonces, auth_sessions (and access_log) as the server migrates them.
  await db.exec(await readFile(new URL('../../../server/migrations/0002_auth_and_access_log.sql', import.meta.url), 'utf8'));
  await db.exec(await readFile(new URL('../../../server/migrations/0008_session_audience.sql', import.meta.url), 'utf8'));
  await db.exec(await readFile(new URL('../../../server/migrations/0045_session_certificate.sql', import.meta.url), 'utf8'));
  await db.exec(await readFile(new URL('../../../server/migrations/0070_session_method_and_level.sql', import.meta.url), 'utf8'));
}, 30_000);
afterAll(async () => {
  await db.close();
});

describe('SQL stores (PGlite)', () => {
  it('a nonce is usable once, and not after it expires', async () => {
    const store = new SqlNonceStore(db);
    const now = new Date();
    const a = await store.issue(now);
    expect(a.expiresAt.getTime()).toBe(now.getTime() + NONCE_TTL_MS);
    const [first, second] = await Promise.all([store.consume(a.nonce, now), store.consume(a.nonce, now)]);
    expect([first, second].sort()).toEqual([false, true]);
    const b = await store.issue(now);
    expect(await store.consume(b.nonce, new Date(now.getTime() + NONCE_TTL_MS + 1))).toBe(false);
    expect(await store.consume('unknown', now)).toBe(false);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_nonces WHERE used_at IS NOT NULL');
    expect(rows[0]?.n).toBe(1);
  });

  it('sessions are stored by token hash, extended while live, revoked once', async () => {
    const store = new SqlSessionStore(db);
    const token = newSessionToken();
    const t0 = new Date('2026-03-01T08:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    await store.create({ tokenHash: hashToken(token), staffId: '00000000-0000-4000-8000-000000000108', hsaId: 'SE2321000131-P000000000108', certSha256: 'a'.repeat(64), createdAt: t0, expiresAt: at(10), absoluteExpiresAt: at(720) });
    const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM auth_sessions');
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
    expect((await store.find(hashToken(token), at(5)))?.expiresAt).toEqual(at(10));
    expect(await store.extend(hashToken(token), at(20), at(9))).toBe(true);
    expect(await store.find(hashToken(token), at(15))).not.toBeNull();
    expect(await store.find(hashToken(token), at(21))).toBeNull();
    expect(await store.extend(hashToken(token), at(30), at(21))).toBe(false);
    expect(await store.revoke(hashToken(token), at(21))).toBe(true);
    expect(await store.revoke(hashToken(token), at(21))).toBe(false);
  });

  it('a session keeps its method and level; only a card session must carry a certificate; an IdP session ends its sessions', async () => {
    const store = new SqlSessionStore(db);
    const t0 = new Date('2026-03-01T08:00:00Z');
    const staff = { staffId: '00000000-0000-4000-8000-000000000108', hsaId: 'SE2321000131-P000000000108', createdAt: t0, expiresAt: new Date(t0.getTime() + 600_000), absoluteExpiresAt: new Date(t0.getTime() + 3_600_000) };
    const card = hashToken(newSessionToken());
    await store.create({ ...staff, tokenHash: card, certSha256: 'b'.repeat(64) });
    expect(await store.find(card, t0)).toMatchObject({ method: 'card', loa: 3, certSha256: 'b'.repeat(64) });
    const oidc = hashToken(newSessionToken());
    await store.create({ ...staff, tokenHash: oidc, method: 'oidc', loa: 2, idpSession: 'https://idp.example sid-1', idpExpiresAt: new Date(t0.getTime() + 300_000) });
    const found = await store.find(oidc, t0);
    expect(found).toMatchObject({ method: 'oidc', loa: 2, idpSession: 'https://idp.example sid-1', idpExpiresAt: new Date(t0.getTime() + 300_000) });
    expect(found?.certSha256).toBeUndefined();
    await expect(store.create({ ...staff, tokenHash: hashToken(newSessionToken()), method: 'card', loa: 3 })).rejects.toThrow(/auth_sessions_card_has_certificate/);
    await expect(store.create({ ...staff, tokenHash: hashToken(newSessionToken()), method: 'oidc', loa: 5 })).rejects.toThrow(/check constraint/);
    expect(await store.revokeIdpSession('https://idp.example sid-1', t0)).toEqual([{ tokenHash: oidc, staffId: staff.staffId, hsaId: staff.hsaId, method: 'oidc', loa: 2 }]);
    expect(await store.find(oidc, t0)).toBeNull();
    expect(await store.find(card, t0)).not.toBeNull();
  });

  it('finds staff by HSA-ID and their permissions valid on the Swedish calendar day', async () => {
    const dir = new SqlStaffDirectory(db);
    const leila = await dir.findStaffByHsaId('SE2321000131-P000000000108');
    expect(leila).toMatchObject({ givenName: 'Leila', role: 'staff' });
    expect(await dir.findStaffByHsaId('SE2321000131-P000000000999')).toBeNull();
    // 30 June 23:30 UTC is already 1 July in Sweden: the daily-activities permission has ended.
    const midsummer = new Date('2025-06-30T23:30:00Z');
    expect(swedishDate(midsummer)).toBe('2025-07-01');
    expect(await dir.activePermissions(leila!.id, midsummer)).toEqual([
      { unitId: '00000000-0000-4000-8000-00000000a001', name: 'Hemtjänst Majorna', validFrom: '2025-07-01', validTo: null },
    ]);
    expect((await dir.activePermissions(leila!.id, new Date('2025-06-30T12:00:00Z'))).map((u) => u.name)).toEqual(['Daglig verksamhet Hisingen']);
    expect(await dir.activePermissions(leila!.id, new Date('2024-12-31T12:00:00Z'))).toEqual([]);
  });
});
