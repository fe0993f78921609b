/**
 * Access-log follow-up on a real PostgreSQL server (issue 17, docs/administration.md): the
 * administrator finds who read a client's journal by a targeted search, draws a random sample of
 * reads, documents a review with a finding per row, exports CSV, and the integrity check says
 * where a tampered log breaks — and that removed newest rows no longer match the signed checkpoint.
 * Her own searches and reviews are in the access log too.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCsv, LoginResponse, LogIntegrity, LogSearchResponse, Review, ReviewList, ServerErrorBody } from '#contract';
import { createServer } from '../../../server/app';
import { verifyLogs } from '../../../server/audit/verify';
import { type Db, migrate, openPostgres } from '../../../server/db';
import { seedDemoData } from '../../../server/demo';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, createTestDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

const PETER = { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' };
const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
const TOLVAN = '19121212-1212';

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let pki: TestPki;
let dir: string;
let keys: { privatePem: string; publicFile: string; anchorFile: string };
let peter: string;
let anna: LoginResponse;
let tolvanId: string;

const login = async (person: typeof PETER): Promise<LoginResponse> => sessionFor(app, await testCard(pki, person));
const post = async (token: string, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-IT' }, payload });
  return { status: res.statusCode, body: res.json() as unknown };
};
const get = async (token: string, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as unknown };
};

beforeAll(async () => {
  database = await createSeededDatabase('log_review');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  dir = await mkdtemp(path.join(tmpdir(), 'omsorg-anchor-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  keys = { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicFile: path.join(dir, 'anchor.pub.pem'), anchorFile: path.join(dir, 'anchor.jsonl') };
  await writeFile(keys.publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false }, anchor: { file: keys.anchorFile, publicKeyFile: keys.publicFile } });
  await app.ready();
  peter = (await login(PETER)).token;
  anna = await login(ANNA);
  tolvanId = (await db.query<{ id: string }>(`SELECT id FROM clients WHERE personnummer = '191212121212'`)).rows[0]!.id;
  // Anna opens Tolvan's journal and copies an entry.
  const at = new Date().toISOString();
  const reported = await post(anna.token, '/api/v1/access-log/events', {
    events: [
      { action: 'read', clientId: tolvanId, recordType: 'journal', at },
      { action: 'copy', clientId: tolvanId, recordType: 'journal_entry', at },
    ],
  });
  expect(reported.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('targeted search', () => {
  it('by client (personnummer): who read and copied her journal, newest first, with name, unit and workstation', async () => {
    const res = await post(peter, '/api/v1/admin/access-log/search', { personnummer: TOLVAN });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rows = LogSearchResponse.parse(res.body).rows;
    expect(rows.map((r) => [r.action, r.actorName, r.client?.name, r.unitName])).toEqual([
      ['copy', 'Anna Lindqvist', 'Tolvan Tolvansson', 'Hemtjänst Majorna'],
      ['read', 'Anna Lindqvist', 'Tolvan Tolvansson', 'Hemtjänst Majorna'],
    ]);
  });

  it('by user, unit, action and period; a page at a time', async () => {
    const byUser = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { actorHsaId: ANNA.hsaId, actions: ['login'] })).body).rows;
    expect(byUser.length).toBeGreaterThanOrEqual(1);
    expect(new Set(byUser.map((r) => `${r.action} ${r.actorHsaId}`))).toEqual(new Set([`login ${ANNA.hsaId}`]));
    const unitId = (await db.query<{ id: string }>(`SELECT id FROM units WHERE name = 'Hemtjänst Majorna'`)).rows[0]!.id;
    const byUnit = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { unitId, actions: ['copy'] })).body).rows;
    expect(byUnit.map((r) => r.client?.personnummer)).toEqual(['191212121212']);
    const future = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { from: '2199-01-01' })).body).rows;
    expect(future).toEqual([]);
    const first = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { limit: 1 })).body);
    const second = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { limit: 1, after: first.next })).body);
    expect(first.next).not.toBeNull();
    expect(second.rows[0]!.id).not.toBe(first.rows[0]!.id);
    expect(new Date(second.rows[0]!.at).getTime()).toBeLessThanOrEqual(new Date(first.rows[0]!.at).getTime());
  });

  it('a personnummer of nobody in the organisation finds nothing; a malformed one is a Swedish validation error saying what is wrong', async () => {
    expect(LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', { personnummer: '19000101-0008' })).body).rows).toEqual([]);
    for (const [typed, says] of [
      ['Tolvan Tolvansson', 'Sökning på namn finns inte här'],
      ['121212-1212', '10 siffror'],
      ['19121212-1213', 'Kontrollsiffran'],
      ['19121312-1212', 'inte med ett datum som finns'],
    ] as const) {
      const bad = await post(peter, '/api/v1/admin/access-log/search', { personnummer: typed });
      expect(bad.status, typed).toBe(400);
      expect(ServerErrorBody.parse(bad.body).error.code).toBe('VALIDATION');
      expect(JSON.stringify(bad.body), typed).toContain(says);
    }
  });

  it('the search itself is in the access log, naming the client searched for', async () => {
    const { rows } = await db.query<{ action: string; record_type: string; client_id: string | null; actor_hsa_id: string }>(
      `SELECT action, record_type, client_id, actor_hsa_id FROM access_log WHERE record_type = 'access_log' AND client_id = $1`,
      [tolvanId],
    );
    expect(rows[0]).toMatchObject({ action: 'read', actor_hsa_id: PETER.hsaId });
  });

  it('exports CSV for a spreadsheet: header, one line per row, formulas defused', async () => {
    const res = await post(peter, '/api/v1/admin/access-log/csv', { personnummer: TOLVAN });
    const { fileName, csv } = LogCsv.parse(res.body);
    expect(fileName).toMatch(/^logguppfoljning-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Logg-id;Tid (svensk tid);Händelse;Utfall;Felkod;Användare;HSA-id;Brukare;Personnummer;Enhet;Posttyp;Arbetsstation');
    // Anna's copy and read; the administrator's own searches for the client are there too (logged, naming her).
    expect(lines.filter((l) => l.includes('Anna Lindqvist')).map((l) => l.split(';')[2])).toEqual(['Kopiering/utskrift', 'Läsning']);
    expect(lines.some((l) => l.includes('Peter Svensson'))).toBe(true);
    // Swedish time to the second, Swedish record types: no UTC "Z" stamps, no internal names.
    const cells = lines.slice(1).map((l) => l.split(';'));
    for (const c of cells) expect(c[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(csv).not.toMatch(/;(access_log|day_notes|journal_entry|journal);/);
    expect(cells.some((c) => c[10] === 'Åtkomstloggen')).toBe(true);
  });
});

describe('random sample and reviews', () => {
  let sampled: string[];

  it('draws N random reads of the last 30 days', async () => {
    const res = await post(peter, '/api/v1/admin/access-log/sample', { size: 5 });
    const rows = LogSearchResponse.parse(res.body).rows;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['read']));
    sampled = rows.map((r) => r.id);
  });

  it('documents a review: each row justified or to be investigated (with a comment); kept, listed and itself logged', async () => {
    const missing = await post(peter, '/api/v1/admin/access-log/reviews', {
      kind: 'sample',
      sampleSize: 5,
      findings: [{ logId: sampled[0], verdict: 'investigate', comment: '' }],
      summary: 'Stickprov december.',
    });
    expect(missing.status).toBe(400);

    const criteria = { personnummer: TOLVAN, actorHsaId: ANNA.hsaId };
    const search = LogSearchResponse.parse((await post(peter, '/api/v1/admin/access-log/search', criteria)).body).rows;
    const created = await post(peter, '/api/v1/admin/access-log/reviews', {
      kind: 'search',
      search: criteria,
      findings: [
        { logId: search[0]!.id, verdict: 'investigate', comment: 'Kopiering utan känt uppdrag: fråga Anna.' },
        { logId: search[1]!.id, verdict: 'justified', comment: '' },
      ],
      summary: 'Uppföljning av Tolvans journal efter anhörigas fråga.',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const review = Review.parse(created.body);
    expect(review).toMatchObject({ reviewer: 'Peter Svensson', kind: 'search', criteria: 'Sökning: användare Anna Lindqvist; brukare Tolvan Tolvansson' });
    expect(review.findings.map((f) => [f.verdict, f.row?.action])).toEqual([
      ['investigate', 'copy'],
      ['justified', 'read'],
    ]);
    // No personnummer is kept in the stored query.
    const { rows } = await db.query<{ query: unknown }>('SELECT query FROM access_log_reviews WHERE id = $1', [review.id]);
    expect(JSON.stringify(rows[0]!.query)).not.toContain('191212121212');

    const list = ReviewList.parse((await get(peter, '/api/v1/admin/access-log/reviews')).body).reviews;
    expect(list[0]).toMatchObject({ id: review.id, findings: 2, toInvestigate: 1 });
    expect(Review.parse((await get(peter, `/api/v1/admin/access-log/reviews/${review.id}`)).body).id).toBe(review.id);
    const logged = await db.query(`SELECT 1 FROM access_log WHERE record_type = 'access_log_review' AND record_id = $1 AND action = 'change'`, [review.id]);
    expect(logged.rows).toHaveLength(1);
    await expect(db.query('DELETE FROM access_log_review_findings')).rejects.toThrow(/append-only/);
  });

  it('a review may not judge a row that is not in the log', async () => {
    const res = await post(peter, '/api/v1/admin/access-log/reviews', { kind: 'sample', sampleSize: 1, findings: [{ logId: '999999999', verdict: 'justified', comment: '' }], summary: 'x' });
    expect(res.status).toBe(400);
  });
});

describe('integrity check', () => {
  it('says the log is whole and matches the signed checkpoint', async () => {
    expect((await verifyLogs(db, { anchorFile: keys.anchorFile, anchorPrivateKey: keys.privatePem })).checkpointWritten).toBe(true);
    const res = LogIntegrity.parse((await post(peter, '/api/v1/admin/access-log/verify', {})).body);
    expect(res.ok).toBe(true);
    expect(res.anchor).toMatchObject({ ok: true, checked: expect.any(Number) });
    expect(res.message).toMatch(/^Loggen är hel/);
  });

  it('reports the row where a tampered log breaks', async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT id::text AS id FROM access_log WHERE action = 'copy' ORDER BY id LIMIT 1`);
    const id = rows[0]!.id;
    // What an intruder with the owner's rights could do: switch the guard off and rewrite a row.
    await db.exec('ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete');
    await db.query(`UPDATE access_log SET workstation = 'WS-ANNAN' WHERE id = $1`, [id]);
    const res = LogIntegrity.parse((await post(peter, '/api/v1/admin/access-log/verify', {})).body);
    expect(res).toMatchObject({ ok: false, accessLog: { ok: false, brokenAt: id, reason: 'hash_mismatch' } });
    expect(res.message).toBe(`Åtkomstloggen är bruten vid rad ${id}: raden har ändrats.`);
  });

  it('detects that the newest rows were removed: they no longer match the checkpoint', async () => {
    // A database of its own, whose chain is whole: a checkpoint is written, then the newest row goes.
    const fresh = await createTestDatabase('log_review_tail');
    const other = await openPostgres({ connectionString: fresh.url });
    try {
      await migrate(other);
      await seedDemoData(other);
      const anchorFile = path.join(dir, 'tail.jsonl');
      const tailApp = createServer({ db: other, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false }, anchor: { file: anchorFile, publicKeyFile: keys.publicFile } });
      try {
        const { token } = await sessionFor(tailApp, await testCard(pki, PETER));
        expect((await verifyLogs(other, { anchorFile, anchorPrivateKey: keys.privatePem })).checkpointWritten).toBe(true);
        await other.exec('ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete');
        await other.query('DELETE FROM access_log WHERE id = (SELECT max(id) FROM access_log)');
        const res = LogIntegrity.parse((await tailApp.inject({ method: 'POST', url: '/api/v1/admin/access-log/verify', headers: { authorization: `Bearer ${token}` }, payload: {} })).json());
        expect(res.ok).toBe(false);
        expect(res.anchor?.missing).toEqual(['access_log']);
        expect(res.message).toContain('kontrollpunkten');
      } finally {
        await tailApp.close();
      }
    } finally {
      await other.close();
      await fresh.drop();
    }
  });
});
