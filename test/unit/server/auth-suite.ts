/**
 * The card-signed login through the running server (createServer with `auth`), the access log and
 * the units behind the session: one suite, run on embedded PGlite (test/unit/server/auth.test.ts)
 * and on a real PostgreSQL server (test/integration/server/auth.test.ts).
 *
 * Cards come from the test PKI (tools/pki) and sign the way a card does: over authValue(origin,
 * nonce) with the card's key — RSA PKCS#1 v1.5 with SHA-256, ECDSA P-256 with SHA-256 returning
 * raw r‖s — so the digest the card itself computes over is signedData(origin, nonce).
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LOGIN_TOKEN_FORMAT, LoginResponse, OfficerLoginResponse, TEST_LOA3_POLICY_OID, authValue, type LoginRequest } from '#contract';
import { swedishDate } from '#contract';
import { ServerErrorBody, UnitsResponse } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { createServer, type ServerAuthOptions } from '../../../server/app';
import { SqlAccessLog, verifyChain } from '../../../server/audit/access-log';
import type { OidcSettings } from '../../../server/auth/oidc';
import type { Db } from '../../../server/db/types';
import { demoClients } from '../../../server/seed/demo-people';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';

export const ORIGIN = 'https://omsorg.test.example';
const DAY_MS = 24 * 3600_000;

export const PEOPLE = {
  anna: { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  sara: { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' },
  leila: { hsaId: 'SE2321000131-P000000000108', givenName: 'Leila', familyName: 'Karimi' },
  /** Added by the suite: one permission, ended. */
  olof: { hsaId: 'SE2321000131-P000000000199', givenName: 'Olof', familyName: 'Forsberg' },
  stranger: { hsaId: 'SE2321000131-P000000000999', givenName: 'Okänd', familyName: 'Person' },
} as const;

/** The card's signature over signedData(origin, nonce): node's sign() hashes authValue once, as the card's PSO over the digest does. */
export function cardSignature(card: CardFile, origin: string, data: Uint8Array): { algorithm: 'RS256' | 'ES256'; signature: string } {
  const key = createPrivateKey(card.auth.privateKeyPem);
  return card.auth.algorithm === 'RSA-2048'
    ? { algorithm: 'RS256', signature: sign('sha256', data, key).toString('base64') }
    : { algorithm: 'ES256', signature: sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64') };
}

export async function loginToken(card: CardFile, nonce: string, origin = ORIGIN, workstation?: string): Promise<LoginRequest> {
  const certificate = card.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const { algorithm, signature } = cardSignature(card, origin, await authValue(origin, nonce));
  return { format: LOGIN_TOKEN_FORMAT, nonce, origin, certificate, algorithm, signature, ...(workstation ? { workstation } : {}) };
}

/** A person's card from the test PKI, as the API tests log in with it (EC key, no signature key). */
export const testCard = (pki: TestPki, person: { hsaId: string; givenName: string; familyName: string }): Promise<CardFile> =>
  issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false });

/** Logs `card` in against `app` (challenge, then the signed login; the case officer's login with 'officer'); expects 200. */
export async function sessionFor(app: FastifyInstance, card: CardFile): Promise<LoginResponse>;
export async function sessionFor(app: FastifyInstance, card: CardFile, who: 'officer'): Promise<OfficerLoginResponse>;
export async function sessionFor(app: FastifyInstance, card: CardFile, who?: 'officer'): Promise<LoginResponse | OfficerLoginResponse> {
  const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
  const res = await app.inject({ method: 'POST', url: who ? '/api/v1/officer/auth/login' : '/api/v1/auth/login', payload: await loginToken(card, nonce) });
  expect(res.statusCode, res.body).toBe(200);
  return who ? OfficerLoginResponse.parse(res.json()) : LoginResponse.parse(res.json());
}

/** An identity provider's settings that declare the OIDC routes (its discovery is fetched only at the first login). */
export const TEST_OIDC: OidcSettings = {
  issuer: 'http://127.0.0.1:9/idp',
  clientId: 'omsorgsportalen',
  clientSecret: 'test-secret',
  name: 'SITHS eID (test)',
  hsaIdClaim: 'employeeHsaId',
  acrLoa: { 'http://id.elegnamnden.se/loa/1.0/loa2': 2, 'http://id.elegnamnden.se/loa/1.0/loa3': 3 },
  minLoa: 2,
  scope: 'openid profile',
  allowHttp: true,
};

export function authOptions(pki: TestPki, extra: Partial<ServerAuthOptions> = {}): ServerAuthOptions {
  return {
    trust: {
      trustAnchorsPem: [pki.root.cert.toString('pem')],
      intermediatesPem: [pki.personCa.cert.toString('pem')],
      requiredPolicies: [TEST_LOA3_POLICY_OID],
    },
    expectedOrigin: ORIGIN,
    // The suites log in far more often than anyone would; the limits are tested in rate-limit.test.ts.
    rateLimit: false,
    ...extra,
  };
}

export interface SuiteDb {
  db: Db;
  close(): Promise<void>;
}

interface LogRow {
  id: string;
  action: string;
  outcome: string;
  error_code: string | null;
  actor_hsa_id: string | null;
  actor_staff_id: string | null;
  workstation: string | null;
  cert_sha256: string | null;
  all_columns: string;
}

/**
 * @param open a fresh database, migrated and seeded with the demo organisation
 */
export function authSuite(label: string, open: () => Promise<SuiteDb>): void {
  describe(`card login, access log and units on ${label}`, () => {
    let handle: SuiteDb;
    let db: Db;
    let app: FastifyInstance;
    let trusted: TestPki;
    let untrusted: TestPki;
    const cards = {} as Record<'annaRsa' | 'annaEc' | 'sara' | 'leila' | 'olof' | 'stranger' | 'foreign' | 'expired', CardFile>;
    /** Everything secret the suite handed over: none of it may turn up in the access log. */
    const secrets: string[] = [];

    const challenge = async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' });
      expect(res.statusCode).toBe(200);
      const { nonce } = ChallengeResponse.parse(res.json());
      secrets.push(nonce);
      return nonce;
    };
    const postLogin = async (token: LoginRequest, headers: Record<string, string> = {}) => {
      secrets.push(token.signature);
      return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: token, headers });
    };
    const login = async (card: CardFile) => {
      const res = await postLogin(await loginToken(card, await challenge(), ORIGIN, 'WS-042'));
      expect(res.statusCode, res.body).toBe(200);
      const body = LoginResponse.parse(res.json());
      secrets.push(body.token);
      return body;
    };
    const units = (token?: string) =>
      app.inject({ method: 'GET', url: '/api/v1/units', headers: token ? { authorization: `Bearer ${token}` } : {} });
    const codeOf = (res: { json(): unknown }) => ServerErrorBody.parse(res.json()).error.code;
    const logRows = async () =>
      (
        await db.query<LogRow>(
          `SELECT id::text AS id, action, outcome, error_code, actor_hsa_id, actor_staff_id::text AS actor_staff_id, workstation, cert_sha256,
                  row_to_json(a)::text AS all_columns
             FROM access_log a ORDER BY a.id`,
        )
      ).rows;

    beforeAll(async () => {
      handle = await open();
      db = handle.db;
      [trusted, untrusted] = await Promise.all([generateTestPki(), generateTestPki()]);
      const past = { notBefore: new Date(Date.now() - 800 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) };
      const issued = await Promise.all([
        issuePersonCard(trusted, { ...PEOPLE.anna, algorithm: 'rsa', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.anna, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.sara, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.leila, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.olof, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.stranger, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(untrusted, { ...PEOPLE.anna, algorithm: 'ec', withSignatureKey: false }),
        issuePersonCard(trusted, { ...PEOPLE.anna, algorithm: 'ec', withSignatureKey: false, ...past }),
      ]);
      [cards.annaRsa, cards.annaEc, cards.sara, cards.leila, cards.olof, cards.stranger, cards.foreign, cards.expired] = issued;
      for (const c of issued) secrets.push(c.auth.privateKeyPem.replace(/-----[^-]+-----|\s/g, '').slice(100, 160));

      // Olof's only permission ended yesterday; Anna gets one starting tomorrow, and one on a unit
      // of another organisation: neither may show up in her unit list.
      const yesterday = swedishDate(new Date(), -1);
      const tomorrow = swedishDate(new Date(), 1);
      await db.query(
        `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id)
         SELECT $1, 'Olof', 'Forsberg', 'Vårdbiträde', 'staff', id FROM organisations`,
        [PEOPLE.olof.hsaId],
      );
      await db.query(
        `INSERT INTO permissions (staff_id, unit_id, valid_from, valid_to)
         SELECT s.id, u.id, '2025-01-01', $2::date FROM staff s, units u WHERE s.hsa_id = $1 AND u.name = 'Hemtjänst Majorna'`,
        [PEOPLE.olof.hsaId, yesterday],
      );
      await db.query(
        `INSERT INTO permissions (staff_id, unit_id, valid_from)
         SELECT s.id, u.id, $2::date FROM staff s, units u WHERE s.hsa_id = $1 AND u.name = 'Daglig verksamhet Hisingen'`,
        [PEOPLE.anna.hsaId, tomorrow],
      );
      const { rows } = await db.query<{ id: string }>(
        "INSERT INTO organisations (name, municipality) VALUES ('Annan Omsorg AB', 'Borås') RETURNING id",
      );
      await db.query("INSERT INTO units (organisation_id, name, service_type) VALUES ($1, 'Hemtjänst Borås', 'hemtjanst')", [rows[0]!.id]);
      await db.query(
        `INSERT INTO permissions (staff_id, unit_id, valid_from)
         SELECT s.id, u.id, '2025-01-01' FROM staff s, units u WHERE s.hsa_id = $1 AND u.name = 'Hemtjänst Borås'`,
        [PEOPLE.anna.hsaId],
      );

      app = createServer({ db, version: 'test', logger: false, auth: authOptions(trusted) });
      await app.ready();
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await handle?.close();
    });

    it.each(['annaRsa', 'annaEc'] as const)('%s: challenge → login → GET /api/v1/units lists only the units permitted today', async (which) => {
      const session = await login(cards[which]);
      expect(session.user).toMatchObject({ hsaId: PEOPLE.anna.hsaId, givenName: 'Anna', role: 'staff' });
      expect(session.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
      const res = await units(session.token);
      expect(res.statusCode).toBe(200);
      const body = UnitsResponse.parse(res.json());
      expect(body.organisation.name).toBe('Omsorgsbolaget Väst AB');
      expect(body.units.map((u) => [u.name, u.clientCount])).toEqual([['Hemtjänst Majorna', 14]]);
    });

    it('lists both units for a user permitted on both, and drops an ended permission', async () => {
      const sara = UnitsResponse.parse((await units((await login(cards.sara)).token)).json());
      expect(sara.units.map((u) => [u.name, u.serviceType, u.clientCount])).toEqual([
        ['Daglig verksamhet Hisingen', 'daglig_verksamhet', 7],
        ['Hemtjänst Majorna', 'hemtjanst', 14],
      ]);
      for (const unit of sara.units) expect(unit.organisationId).toBe(sara.organisation.id);
      const leila = UnitsResponse.parse((await units((await login(cards.leila)).token)).json());
      expect(leila.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
    });

    it('GET /api/v1/units without a token, with a malformed one and with an unknown one is 401 UNAUTHENTICATED', async () => {
      for (const token of [undefined, 'not a token', 'A'.repeat(43)]) {
        const res = await units(token);
        expect(res.statusCode).toBe(401);
        expect(codeOf(res)).toBe('UNAUTHENTICATED');
      }
    });

    it('with a session, an unexpected query parameter is a 400 VALIDATION error that does not echo its value', async () => {
      const { token } = await login(cards.annaEc);
      const res = await app.inject({ method: 'GET', url: '/api/v1/units?personnummer=191212121212', headers: { authorization: `Bearer ${token}` } });
      expect([res.statusCode, codeOf(res)]).toEqual([400, 'VALIDATION']);
      expect(res.body).not.toContain('191212121212');
    });

    it('after logout the token no longer opens the units', async () => {
      const { token } = await login(cards.annaEc);
      const auth = { authorization: `Bearer ${token}` };
      expect((await app.inject({ method: 'POST', url: '/api/v1/auth/renew', headers: auth })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth })).statusCode).toBe(200);
      expect((await units(token)).statusCode).toBe(401);
    });

    it('refuses a user whose permission has ended: 403 NO_ACTIVE_PERMISSION', async () => {
      const res = await postLogin(await loginToken(cards.olof, await challenge()));
      expect([res.statusCode, codeOf(res)]).toEqual([403, 'NO_ACTIVE_PERMISSION']);
    });

    it('refuses a replayed token: 401 NONCE_INVALID', async () => {
      const token = await loginToken(cards.annaEc, await challenge());
      expect((await postLogin(token)).statusCode).toBe(200);
      const replay = await postLogin(token);
      expect([replay.statusCode, codeOf(replay)]).toEqual([401, 'NONCE_INVALID']);
    });

    it('refuses a card from an untrusted CA (CERT_UNTRUSTED), an expired certificate (CERT_EXPIRED), an unknown card holder, another origin', async () => {
      const foreign = await postLogin(await loginToken(cards.foreign, await challenge()));
      expect([foreign.statusCode, codeOf(foreign)]).toEqual([401, 'CERT_UNTRUSTED']);
      const expired = await postLogin(await loginToken(cards.expired, await challenge()));
      expect([expired.statusCode, codeOf(expired)]).toEqual([401, 'CERT_EXPIRED']);
      const stranger = await postLogin(await loginToken(cards.stranger, await challenge()));
      expect([stranger.statusCode, codeOf(stranger)]).toEqual([403, 'UNKNOWN_CARD_HOLDER']);
      const phished = await postLogin(await loginToken(cards.annaEc, await challenge(), 'https://omsorg.test.example.evil'));
      expect([phished.statusCode, codeOf(phished)]).toEqual([401, 'SIGNATURE_INVALID']);
    });

    it('records every attempt in access_log with its action and error code', async () => {
      const rows = await logRows();
      const summary = rows.map((r) => `${r.action}:${r.error_code ?? r.outcome}`);
      expect(summary).toEqual([
        'login:success', // anna rsa
        'login:success', // anna ec
        'login:success', // sara
        'login:success', // leila
        'login:success', // query parameter
        'login:success',
        'session_renewed:success',
        'logout:success',
        'login_failed:NO_ACTIVE_PERMISSION',
        'login:success',
        'login_failed:NONCE_INVALID',
        'login_failed:CERT_UNTRUSTED',
        'login_failed:CERT_EXPIRED',
        'login_failed:UNKNOWN_CARD_HOLDER',
        'login_failed:SIGNATURE_INVALID',
      ]);
      const success = rows[0]!;
      expect(success).toMatchObject({ outcome: 'success', actor_hsa_id: PEOPLE.anna.hsaId, workstation: 'WS-042' });
      expect(success.actor_staff_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(success.cert_sha256).toMatch(/^[0-9a-f]{64}$/);
      // Before the chain is verified the HSA-ID is only a claim: not recorded for the foreign card.
      expect(rows.find((r) => r.error_code === 'CERT_UNTRUSTED')?.actor_hsa_id).toBeNull();
      expect(rows.find((r) => r.error_code === 'CERT_EXPIRED')?.actor_hsa_id).toBe(PEOPLE.anna.hsaId);
      expect(rows.find((r) => r.error_code === 'NO_ACTIVE_PERMISSION')?.actor_hsa_id).toBe(PEOPLE.olof.hsaId);
    });

    it('holds no nonce, signature, token, PIN, key or personnummer in any column', async () => {
      const rows = await logRows();
      expect(secrets.length).toBeGreaterThan(20);
      for (const row of rows) {
        const { hash: _h, prev_hash: _p, cert_sha256: _c, actor_hsa_id: _a, ...plain } = JSON.parse(row.all_columns) as Record<string, unknown>;
        const text = JSON.stringify(plain);
        for (const secret of secrets) expect(row.all_columns).not.toContain(secret);
        for (const client of demoClients) expect(row.all_columns).not.toContain(client.personnummer.slice(2));
        expect(text).not.toContain('123456'); // the cards' PIN
        expect(text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '')).not.toMatch(/\d{10}/);
      }
    });

    it('GET /api/v1/units is not logged as a read', async () => {
      const before = (await logRows()).length;
      const { token } = await login(cards.sara);
      await units(token);
      await units(token);
      const after = await logRows();
      expect(after.length).toBe(before + 1);
      expect(after.some((r) => r.action === 'read')).toBe(false);
    });

    it('the hash chain verifies, also after concurrent inserts', async () => {
      const log = new SqlAccessLog(db);
      const clientId = '00000000-0000-4000-8000-0000000000c1';
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          log.record({ action: 'read', outcome: 'success', actorHsaId: PEOPLE.anna.hsaId, clientId, recordType: 'journal_entry', recordId: `entry-${i}` }),
        ),
      );
      const result = await verifyChain(db, { pageSize: 7 });
      expect(result).toMatchObject({ ok: true });
      expect(result.rows).toBe((await logRows()).length);
      const ids = (await logRows()).map((r) => Number(r.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('UPDATE, DELETE and TRUNCATE on access_log fail, even for the table owner', async () => {
      await expect(db.query("UPDATE access_log SET outcome = 'success' WHERE outcome = 'failure'")).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE access_log')).rejects.toThrow(/append-only/);
      await expect(db.query("UPDATE access_log SET hash = repeat('0', 64)")).rejects.toThrow(/append-only/);
      expect((await verifyChain(db)).ok).toBe(true);
    });

    it('an insert cannot choose its own id or hashes', async () => {
      await db.query(
        `INSERT INTO access_log (id, action, outcome, prev_hash, hash) VALUES (1, 'read', 'success', repeat('a', 64), repeat('b', 64))`,
      );
      const last = (await logRows()).at(-1)!;
      expect(Number(last.id)).toBeGreaterThan(1);
      expect((await verifyChain(db)).ok).toBe(true);
    });

    it('refuses an insert under REPEATABLE READ (the chain needs the latest head)', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await new SqlAccessLog(tx).record({ action: 'read', outcome: 'success' });
        }),
      ).rejects.toThrow(/READ COMMITTED/);
    });

    it('detects rows altered or removed behind the triggers (superuser with DISABLE TRIGGER)', async () => {
      const behindTriggers = async (sql: string, params: unknown[]) => {
        await db.exec('ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete');
        try {
          await db.query(sql, params);
        } finally {
          await db.exec('ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_delete');
        }
      };
      const rows = await logRows();
      const head = (await verifyChain(db)).head!;
      expect(head.id).toBe(rows.at(-1)!.id);

      // The newest row removed: the chain itself still fits; the head an administrator noted does not.
      await behindTriggers('DELETE FROM access_log WHERE id = $1', [head.id]);
      expect((await verifyChain(db)).ok).toBe(true);
      expect(await verifyChain(db, { expectedHead: head })).toMatchObject({ ok: false, brokenAt: head.id, reason: 'head_missing' });

      // A failed attempt turned into a success: that row's hash no longer fits.
      const target = rows.find((r) => r.error_code === 'CERT_UNTRUSTED')!;
      await behindTriggers("UPDATE access_log SET error_code = NULL, outcome = 'success', action = 'login' WHERE id = $1", [target.id]);
      expect(await verifyChain(db)).toMatchObject({ ok: false, brokenAt: target.id, reason: 'hash_mismatch' });
      await behindTriggers("UPDATE access_log SET error_code = 'CERT_UNTRUSTED', outcome = 'failure', action = 'login_failed' WHERE id = $1", [target.id]);
      expect((await verifyChain(db)).ok).toBe(true);

      // A row removed from the middle: the next row's link breaks.
      await behindTriggers('DELETE FROM access_log WHERE id = $1', [rows[2]!.id]);
      expect(await verifyChain(db)).toMatchObject({ ok: false, brokenAt: rows[3]!.id, reason: 'prev_hash_mismatch' });
    });
  });
}
