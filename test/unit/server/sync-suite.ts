/**
 * The server side of sync (docs/sync.md) through the running server: card login, then pull, push
 * and the event stream. One suite, run on embedded PGlite (test/unit/server/sync.test.ts) and on a
 * real PostgreSQL server (test/integration/server/sync.test.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChallengeResponse, LoginResponse, API_VERSION, API_VERSION_HEADER } from '#contract';
import { swedishDate } from '#contract';
import { ServerErrorBody } from '#contract';
import { PullResponse, PushResponse, type Change, type Cursors, type Mutation, type KsiList } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { SERVER_REGISTRY } from '../../../server/kinds';
import { purgeExpired } from '../../../server/sync/retention';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';
import { ORIGIN, PEOPLE, authOptions, loginToken } from './auth-suite';

const DAY_MS = 24 * 3600_000;

export const SYNC_PEOPLE = {
  anna: PEOPLE.anna, // Hemtjänst Majorna
  sara: PEOPLE.sara, // both units
  /** Added by the suite: both units; the daily-activities one ends during the suite. */
  olof: { hsaId: 'SE2321000131-P000000000198', givenName: 'Olof', familyName: 'Forsberg' },
} as const;

export interface SuiteDb {
  db: Db;
  close(): Promise<void>;
}

export interface Session {
  token: string;
  staffId: string;
  pull(cursors?: Cursors, limit?: number): Promise<PullResponse>;
  push(...mutations: Mutation[]): Promise<PushResponse>;
}

export interface SyncHarness {
  db: Db;
  app: FastifyInstance;
  units: { hemtjanst: string; daglig: string };
  login(who: keyof typeof SYNC_PEOPLE): Promise<Session>;
  /** A client of the unit, by its place in personnummer order. */
  client(unit: 'hemtjanst' | 'daglig', n?: number): Promise<string>;
}

/** Starts a server on `db` (migrated and seeded) and logs people in with test cards. */
export async function startSyncHarness(db: Db, options: { listen?: boolean; pki?: TestPki; logStream?: NodeJS.WritableStream; ksi?: KsiList } = {}): Promise<SyncHarness> {
  const pki = options.pki ?? (await generateTestPki());
  const cards = {} as Record<keyof typeof SYNC_PEOPLE, CardFile>;
  for (const [key, person] of Object.entries(SYNC_PEOPLE) as [keyof typeof SYNC_PEOPLE, (typeof SYNC_PEOPLE)[keyof typeof SYNC_PEOPLE]][]) {
    cards[key] = await issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false });
  }
  await db.query(
    `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id)
     SELECT $1, 'Olof', 'Forsberg', 'Vårdbiträde', 'staff', id FROM organisations WHERE name = 'Omsorgsbolaget Väst AB'
     ON CONFLICT (hsa_id) DO NOTHING`,
    [SYNC_PEOPLE.olof.hsaId],
  );
  await db.query(
    `INSERT INTO permissions (staff_id, unit_id, valid_from)
     SELECT s.id, u.id, '2025-01-01' FROM staff s, units u
      WHERE s.hsa_id = $1 AND u.name IN ('Hemtjänst Majorna', 'Daglig verksamhet Hisingen')
        AND NOT EXISTS (SELECT 1 FROM permissions p WHERE p.staff_id = s.id)`,
    [SYNC_PEOPLE.olof.hsaId],
  );
  const { rows: unitRows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM units');
  const unitId = (name: string) => unitRows.find((u) => u.name === name)!.id;
  const units = { hemtjanst: unitId('Hemtjänst Majorna'), daglig: unitId('Daglig verksamhet Hisingen') };

  const app = createServer({
    db,
    version: 'test',
    logger: options.logStream ? { level: 'trace', stream: options.logStream } : process.env.SYNC_TEST_LOG ? { level: 'error', stream: process.stderr } : false,
    auth: authOptions(pki),
    sync: { retentionIntervalMs: false, keepAliveMs: 300, coalesceMs: 50 },
    ...(options.ksi ? { ksi: options.ksi } : {}),
  });
  if (options.listen) await app.listen({ host: '127.0.0.1', port: 0 });
  else await app.ready();

  const login = async (who: keyof typeof SYNC_PEOPLE): Promise<Session> => {
    const { nonce } = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json());
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(cards[who], nonce, ORIGIN, 'WS-SYNC') });
    expect(res.statusCode, res.body).toBe(200);
    const { token, user } = LoginResponse.parse(res.json());
    const headers = { authorization: `Bearer ${token}`, 'x-workstation': 'WS-SYNC', [API_VERSION_HEADER]: String(API_VERSION) };
    return {
      token,
      staffId: user.id,
      async pull(cursors = {}, limit) {
        const r = await app.inject({ method: 'POST', url: '/api/v1/sync/pull', headers, payload: { cursors, ...(limit ? { limit } : {}) } });
        expect(r.statusCode, r.body).toBe(200);
        return PullResponse.parse(r.json());
      },
      async push(...mutations) {
        const r = await app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { mutations } });
        expect(r.statusCode, r.body).toBe(200);
        return PushResponse.parse(r.json());
      },
    };
  };
  const client = async (unit: 'hemtjanst' | 'daglig', n = 0) => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM clients WHERE unit_id = $1 ORDER BY personnummer OFFSET $2 LIMIT 1', [units[unit], n]);
    return rows[0]!.id;
  };
  return { db, app, units, login, client };
}

const today = () => swedishDate();

export const journalCreate = (clientId: string, extra: Partial<Extract<Mutation, { type: 'journal_entry.create' }>['record']> = {}): Mutation => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'journal_entry.create',
  record: { id: randomUUID(), clientId, eventDate: today(), text: 'Hjälp med frukost och promenad.', lifeArea: 'self_care', assignmentId: null, correctsId: null, ...extra },
});
export const markErroneous = (id: string, reason = 'Fel brukare.'): Mutation => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'journal_entry.mark_erroneous',
  record: { id, reason },
});
export const dayNoteCreate = (unitId: string, clientId: string | null, text = 'Kaffet är slut.'): Mutation => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'day_note.create',
  record: { id: randomUUID(), unitId, clientId, text },
});

/** Pulls until nothing more waits; returns every change and the final cursors. */
export async function pullAll(session: Session, cursors: Cursors = {}, limit?: number): Promise<{ changes: Change[]; cursors: Cursors; pages: number; last: PullResponse }> {
  const changes: Change[] = [];
  let pages = 0;
  for (;;) {
    const page = await session.pull(cursors, limit);
    pages++;
    changes.push(...page.changes);
    cursors = page.cursors;
    if (!page.hasMore) return { changes, cursors, pages, last: page };
  }
}

export function syncSuite(label: string, open: () => Promise<SuiteDb>): void {
  describe(`sync: pull, push and retention on ${label}`, { timeout: 60_000 }, () => {
    let handle: SuiteDb;
    let h: SyncHarness;
    let db: Db;

    beforeAll(async () => {
      handle = await open();
      db = handle.db;
      h = await startSyncHarness(db);
    }, 120_000);
    afterAll(async () => {
      await h?.app.close();
      await handle?.close();
    });

    const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;

    it('a pull from empty delivers every client, journal entry and day note of the user’s units and nothing of other units', async () => {
      const anna = await h.login('anna');
      const { changes, cursors, last } = await pullAll(anna);
      expect(last.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
      expect(Object.keys(cursors)).toEqual([h.units.hemtjanst]);
      expect(last.retentionDays).toEqual({ day_note: 90 });
      expect(changes.every((c) => c.unitId === h.units.hemtjanst && c.op === 'upsert')).toBe(true);

      const ids = (type: string) => changes.filter((c) => c.type === type).map((c) => c.id).sort();
      const dbIds = async (table: string) =>
        (await db.query<{ id: string }>(`SELECT id FROM ${table} WHERE unit_id = $1 ORDER BY id`, [h.units.hemtjanst])).rows.map((r) => r.id).sort();
      expect(ids('client')).toEqual(await dbIds('clients'));
      expect(ids('journal_entry')).toEqual(await dbIds('journal_entries'));
      expect(ids('day_note')).toEqual(await dbIds('day_notes'));
      expect(ids('client')).toHaveLength(14);
      expect(ids('journal_entry').length).toBeGreaterThan(14);
      expect(ids('day_note').length).toBeGreaterThan(14);
      // One change per record (an entry marked erroneous after it was written comes once, as it is now).
      expect(new Set(changes.map((c) => `${c.type}:${c.id}`)).size).toBe(changes.length);
      const marked = changes.find((c) => c.type === 'journal_entry' && c.op === 'upsert' && c.record.erroneous !== null);
      expect(marked?.type === 'journal_entry' && marked.op === 'upsert' && marked.record.erroneous?.reason).toBeTruthy();
      // Ordered by seq; the cursor is the last one.
      const seqs = changes.map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      // At or past the last change delivered: changes meant for others in the unit (a deviation
      // reaches only its reporter) move the cursor without being delivered.
      expect(cursors[h.units.hemtjanst]).toBeGreaterThanOrEqual(seqs.at(-1)!);
    });

    it('records are built by the database as the contract has them: awkward text, microsecond times, marks and nulls come out as written', async () => {
      const anna = await h.login('anna');
      const { cursors } = await pullAll(anna);
      const client = await h.client('hemtjanst', 2);
      const staff = (await db.query<{ id: string; hsa_id: string }>('SELECT id, hsa_id FROM staff WHERE hsa_id = $1', [SYNC_PEOPLE.anna.hsaId])).rows[0]!;
      // Quotes, backslashes, a tab and newlines, control characters, non-BMP characters, Swedish letters.
      const awkward = 'Sa "hej" \\ gick\tut\r\nsen: \u0001\u001f slut 🙂 åäö ÅÄÖ é';
      const [entry, marked, note, summarised] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await db.query(
        `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, corrects_id, author_staff_id, author_hsa_id, author_name, author_title, created_at,
           erroneous_at, erroneous_by_staff_id, erroneous_by_hsa_id, erroneous_by_name, erroneous_by_title, erroneous_reason)
         VALUES ($1, $3, $4, '2024-02-29', $5, 'self_care', NULL, $6, $7, 'Anna "A" Öberg', 'Undersköterska', '2026-03-01T23:59:59.999999Z', NULL, NULL, NULL, NULL, NULL, NULL),
                ($2, $3, $4, '2026-01-01', 'Fel brukare', NULL, $1, $6, $7, 'Anna Öberg', 'Undersköterska', '2026-03-02T00:00:00.0005+01:00',
                 '2026-03-02T10:11:12.345678Z', $6, $7, 'Anna Öberg', 'Undersköterska', $5)`,
        [entry, marked, client, h.units.hemtjanst, awkward, staff.id, staff.hsa_id],
      );
      await db.query(
        `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, summarised_at)
         VALUES ($1, $3, NULL, $4, $5, $6, 'Anna Öberg', 'Undersköterska', now() - interval '1 day 0.000001 second', NULL),
                ($2, $3, $7, 'Sammanfattad', $5, $6, 'Anna Öberg', 'Undersköterska', now() - interval '2 days', now() - interval '0.0000015 second')`,
        [note, summarised, h.units.hemtjanst, awkward, staff.id, staff.hsa_id, client],
      );
      const pulled = await anna.pull(cursors);
      const record = (id: string) => {
        const c = pulled.changes.find((x) => x.id === id);
        if (!c || c.op !== 'upsert') throw new Error(`no upsert of ${id}`);
        return c.record;
      };
      // The oracle: the rows as the database driver reads them, mapped the way JavaScript would.
      const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
      const author = (r: Record<string, string>, p: string) => ({ staffId: r[`${p}_staff_id`], hsaId: r[`${p}_hsa_id`], name: r[`${p}_name`], title: r[`${p}_title`] });
      const journal = (await db.query<Record<string, string>>(`SELECT *, event_date::text AS day FROM journal_entries WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [[entry, marked]])).rows;
      for (const r of journal) {
        expect(record(r.id!)).toEqual({
          id: r.id, clientId: r.client_id, unitId: r.unit_id, eventDate: r.day, text: r.text, lifeArea: r.life_area, assignmentId: r.assignment_id,
          author: author(r, 'author'), createdAt: iso(r.created_at!), correctsId: r.corrects_id,
          erroneous: r.erroneous_at === null ? null : { markedAt: iso(r.erroneous_at!), markedBy: author(r, 'erroneous_by'), reason: r.erroneous_reason },
        });
      }
      const notes = (await db.query<Record<string, string>>(`SELECT * FROM day_notes WHERE id = ANY($1::uuid[])`, [[note, summarised]])).rows;
      for (const r of notes) {
        expect(record(r.id!)).toEqual({
          id: r.id, unitId: r.unit_id, clientId: r.client_id, text: r.text, author: author(r, 'author'), createdAt: iso(r.created_at!), summarisedAt: iso(r.summarised_at!),
        });
      }
      expect(record(entry)).toMatchObject({ text: awkward, eventDate: '2024-02-29', createdAt: '2026-03-01T23:59:59.999Z', author: { name: 'Anna "A" Öberg' } });
      expect(record(marked)).toMatchObject({ createdAt: '2026-03-01T23:00:00.000Z', erroneous: { markedAt: '2026-03-02T10:11:12.345Z', reason: awkward } });
      expect(record(note)).toMatchObject({ clientId: null, text: awkward, summarisedAt: null });
      // A client's personnummer is char(12) in the database and 12 digits in the contract.
      const { changes } = await pullAll(anna);
      const first = changes.find((c) => c.type === 'client' && c.op === 'upsert');
      expect(first?.op === 'upsert' && first.type === 'client' && first.record.personnummer).toMatch(/^\d{12}$/);
    });

    it('pages with `limit` deliver the same records, each once, with hasMore until the end', async () => {
      const anna = await h.login('anna');
      const whole = await pullAll(anna);
      const paged = await pullAll(anna, {}, 7);
      expect(paged.pages).toBeGreaterThan(5);
      expect(paged.changes.map((c) => c.id)).toEqual(whole.changes.map((c) => c.id));
      expect(paged.cursors).toEqual(whole.cursors);
    });

    it('cursors advance: a second pull returns nothing new, and an idle unit’s cursor catches up', async () => {
      const sara = await h.login('sara');
      const first = await pullAll(sara);
      expect(Object.keys(first.cursors).sort()).toEqual([h.units.daglig, h.units.hemtjanst].sort());
      const again = await sara.pull(first.cursors);
      expect(again.changes).toEqual([]);
      expect(again.hasMore).toBe(false);
      expect(again.cursors).toEqual(first.cursors);

      // A note in home care moves the global seq; the daily-activities cursor, idle, follows the unit's own max.
      const anna = await h.login('anna');
      await anna.push(dayNoteCreate(h.units.hemtjanst, null, 'Tvättstugan bokad.'));
      const next = await sara.pull(first.cursors);
      expect(next.changes.map((c) => c.unitId)).toEqual([h.units.hemtjanst]);
      expect(next.cursors[h.units.daglig]).toBe(first.cursors[h.units.daglig]);
      expect(next.cursors[h.units.hemtjanst]).toBe(next.changes[0]!.seq);
    });

    it('a journal entry pushed by another user appears in the next pull, authored from the staff register', async () => {
      const anna = await h.login('anna');
      const sara = await h.login('sara');
      const { cursors } = await pullAll(anna);
      const clientId = await h.client('hemtjanst', 2);
      const m = journalCreate(clientId, { text: 'Brukaren ville äta lunch i köket i dag.', lifeArea: 'domestic_life' });
      const { results } = await sara.push(m);
      expect(results).toEqual([{ mutationId: m.mutationId, status: 'applied', seq: expect.any(Number) }]);
      const pulled = await anna.pull(cursors);
      expect(pulled.changes).toHaveLength(1);
      const change = pulled.changes[0]!;
      expect(change).toMatchObject({ op: 'upsert', type: 'journal_entry', id: m.record.id, unitId: h.units.hemtjanst, seq: (results[0] as { seq: number }).seq });
      if (change.op !== 'upsert' || change.type !== 'journal_entry') throw new Error('expected a journal entry');
      expect(change.record).toMatchObject({
        clientId,
        text: 'Brukaren ville äta lunch i köket i dag.',
        lifeArea: 'domestic_life',
        author: { staffId: sara.staffId, hsaId: SYNC_PEOPLE.sara.hsaId, name: 'Sara Nyström', title: 'Undersköterska' },
        erroneous: null,
        correctsId: null,
      });
    });

    it('a push applies once: the same push again, and three at the same time, answer alike and write one row', async () => {
      const anna = await h.login('anna');
      const m = journalCreate(await h.client('hemtjanst', 3));
      const first = await anna.push(m);
      const second = await anna.push(m);
      expect(second).toEqual(first);
      const concurrent = journalCreate(await h.client('hemtjanst', 3));
      const answers = await Promise.all([anna.push(concurrent), anna.push(concurrent), anna.push(concurrent)]);
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect(answers[0]!.results[0]!.status).toBe('applied');
      for (const id of [m.record.id, (concurrent.record as { id: string }).id]) {
        expect(await count('SELECT count(*)::int AS n FROM journal_entries WHERE id = $1', [id])).toBe(1);
        expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'change' AND record_id = $1", [id])).toBe(1);
        expect(await count("SELECT count(*)::int AS n FROM changes WHERE record_id = $1", [id])).toBe(1);
      }
    });

    it('a push of several mutations answers each in order; a correction marks the original and adds an entry', async () => {
      const anna = await h.login('anna');
      const clientId = await h.client('hemtjanst', 4);
      const original = journalCreate(clientId, { text: 'Brukaren duschade.' });
      const originalId = (original.record as { id: string }).id;
      const mark = markErroneous(originalId, 'Skrivet på fel brukare.');
      const correction = journalCreate(clientId, { text: 'Rättelse: brukaren tackade nej till dusch.', correctsId: originalId });
      const { results } = await anna.push(original, mark, correction);
      expect(results.map((r) => [r.mutationId, r.status])).toEqual([
        [original.mutationId, 'applied'],
        [mark.mutationId, 'applied'],
        [correction.mutationId, 'applied'],
      ]);
      const seqs = results.map((r) => (r.status === 'applied' ? r.seq : 0));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const { rows } = await db.query<{ erroneous_reason: string; erroneous_by_name: string; text: string }>(
        'SELECT erroneous_reason, erroneous_by_name, text FROM journal_entries WHERE id = $1',
        [originalId],
      );
      expect(rows[0]).toEqual({ erroneous_reason: 'Skrivet på fel brukare.', erroneous_by_name: 'Anna Lindqvist', text: 'Brukaren duschade.' });
    });

    it('refuses, for good and with a code and a Swedish message: other unit, unknown client, duplicate id, marking twice, bad correction', async () => {
      const anna = await h.login('anna');
      const mine = await h.client('hemtjanst', 5);
      const outOfScope = journalCreate(await h.client('daglig', 0));
      const unknown = journalCreate(randomUUID());
      const ok = journalCreate(mine);
      const duplicate = journalCreate(mine, { id: (ok.record as { id: string }).id });
      const markOnce = markErroneous((ok.record as { id: string }).id);
      const markTwice = markErroneous((ok.record as { id: string }).id);
      const badCorrection = journalCreate(mine, { correctsId: randomUUID() });
      const noteElsewhere = dayNoteCreate(h.units.daglig, null);
      const noteWrongClient = dayNoteCreate(h.units.hemtjanst, await h.client('daglig', 1));
      const markUnknown = markErroneous(randomUUID());
      const { results } = await anna.push(outOfScope, unknown, ok, duplicate, markOnce, markTwice, badCorrection, noteElsewhere, noteWrongClient, markUnknown);
      const summary = results.map((r) => (r.status === 'applied' ? 'applied' : r.error.code));
      expect(summary).toEqual(['FORBIDDEN', 'FORBIDDEN', 'applied', 'CONFLICT', 'applied', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND']);
      const refused = results.filter((r) => r.status === 'refused');
      for (const r of refused) expect(r.status === 'refused' && r.error.message).toMatch(/[åäö]|inte|redan|finns/);
      expect(results[0]).toMatchObject({ error: { message: expect.stringContaining('behörighet') } });
      // A refused mutation sent again answers the same, and nothing of it was written.
      const retry = await anna.push(outOfScope, duplicate);
      expect(retry.results).toEqual([results[0], results[3]]);
      expect(await count('SELECT count(*)::int AS n FROM journal_entries WHERE id = $1', [(outOfScope.record as { id: string }).id])).toBe(0);
    });

    it('refuses a mutation id already used by another user without revealing its result', async () => {
      const anna = await h.login('anna');
      const sara = await h.login('sara');
      const m = journalCreate(await h.client('hemtjanst', 6));
      expect((await anna.push(m)).results[0]!.status).toBe('applied');
      const { results } = await sara.push({ ...m, record: { ...(m.record as object), id: randomUUID() } } as Mutation);
      expect(results[0]).toMatchObject({ status: 'refused', error: { code: 'CONFLICT' } });
    });

    const markSummarised = (id: string): Mutation => ({ mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'day_note.mark_summarised', record: { id } });
    const idOf = (m: Mutation) => m.record.id;
    /** Each record's latest seq in the feed. */
    const latestSeqs = async (ids: string[]) =>
      new Map((await db.query<{ record_id: string; seq: number }>('SELECT record_id::text, max(seq)::int AS seq FROM changes WHERE record_id = ANY($1::uuid[]) GROUP BY record_id', [ids])).rows.map((r) => [r.record_id, r.seq]));

    it('a push mixing every mutation type sees its own earlier mutations; a refusal in the middle leaves the others applied', async () => {
      const anna = await h.login('anna');
      const { cursors } = await pullAll(anna);
      const clientId = await h.client('hemtjanst', 9);
      const original = journalCreate(clientId, { text: 'Brukaren åt frukost.' });
      const mark = markErroneous(idOf(original), 'Fel dag.');
      const correction = journalCreate(clientId, { text: 'Rättelse: frukost i går.', correctsId: idOf(original) });
      const markAgain = markErroneous(idOf(original));
      const sameId = journalCreate(clientId, { id: idOf(correction) });
      const note = dayNoteCreate(h.units.hemtjanst, clientId, 'Ny hörapparat.');
      const summarise = markSummarised(idOf(note));
      const summariseAgain = markSummarised(idOf(note));
      const forbidden = journalCreate(await h.client('daglig', 3));
      const noteWithEntryId = dayNoteCreate(h.units.hemtjanst, null);
      (noteWithEntryId.record as { id: string }).id = idOf(original);
      const last = journalCreate(clientId, { text: 'Kvällsbesök.' });
      const batch = [original, mark, correction, markAgain, sameId, note, summarise, summariseAgain, forbidden, noteWithEntryId, last];
      const { results } = await anna.push(...batch);
      expect(results.map((r) => r.mutationId)).toEqual(batch.map((m) => m.mutationId));
      expect(results.map((r) => (r.status === 'applied' ? 'applied' : r.error.code))).toEqual([
        'applied', 'applied', 'applied', 'CONFLICT', 'CONFLICT', 'applied', 'applied', 'applied', 'FORBIDDEN', 'CONFLICT', 'applied',
      ]);

      // Every applied mutation answers its record's latest seq (a record written twice: both the same).
      const seqOf = await latestSeqs([idOf(original), idOf(correction), idOf(note), idOf(last)]);
      const answered = batch.map((m, i) => [idOf(m), results[i]!.status === 'applied' ? (results[i] as { seq: number }).seq : null] as const);
      for (const [id, seq] of answered) if (seq !== null) expect(seq).toBe(seqOf.get(id));
      expect(seqOf.get(idOf(original))! < seqOf.get(idOf(correction))! && seqOf.get(idOf(correction))! < seqOf.get(idOf(note))! && seqOf.get(idOf(note))! < seqOf.get(idOf(last))!).toBe(true);

      const { rows } = await db.query<{ id: string; erroneous_reason: string | null; corrects_id: string | null; text: string }>(
        'SELECT id::text, erroneous_reason, corrects_id::text, text FROM journal_entries WHERE id = ANY($1::uuid[]) ORDER BY created_at, text',
        [[idOf(original), idOf(correction), idOf(last), idOf(forbidden)]],
      );
      expect(new Map(rows.map((r) => [r.id, r]))).toEqual(new Map([
        [idOf(original), { id: idOf(original), erroneous_reason: 'Fel dag.', corrects_id: null, text: 'Brukaren åt frukost.' }],
        [idOf(correction), { id: idOf(correction), erroneous_reason: null, corrects_id: idOf(original), text: 'Rättelse: frukost i går.' }],
        [idOf(last), { id: idOf(last), erroneous_reason: null, corrects_id: null, text: 'Kvällsbesök.' }],
      ]));
      expect(await count('SELECT count(*)::int AS n FROM day_notes WHERE id = $1 AND summarised_at IS NOT NULL', [idOf(note)])).toBe(1);
      // One `change` event per write: the note summarised again changed nothing and is not logged.
      expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'change' AND record_id = ANY($1::text[])", [[idOf(original), idOf(correction), idOf(note), idOf(last)]])).toBe(6);
      // The feed keeps each record once, and the pull hands out the records as they are now.
      const pulled = await pullAll(anna, cursors);
      expect(pulled.changes.map((c) => c.id)).toEqual([idOf(original), idOf(correction), idOf(note), idOf(last)]);
      const first = pulled.changes[0]!;
      expect(first.op === 'upsert' && first.type === 'journal_entry' && first.record.erroneous?.reason).toBe('Fel dag.');
      // Sent again, the same batch answers the same from storage.
      expect((await anna.push(...batch)).results).toEqual(results);
    });

    it('200 day notes in one push: one row, one change and one `change` event each, seqs rising in batch order', async () => {
      const anna = await h.login('anna');
      const clients = await Promise.all([10, 11, 12].map((n) => h.client('hemtjanst', n)));
      const batch = Array.from({ length: 200 }, (_, i) => dayNoteCreate(h.units.hemtjanst, i % 4 === 3 ? null : clients[i % 4]!, `Anteckning ${i}: "citat", {klammer}, \\ och NULL.`));
      const { results } = await anna.push(...batch);
      expect(results.every((r) => r.status === 'applied')).toBe(true);
      const seqs = results.map((r) => (r as { seq: number }).seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
      const ids = batch.map(idOf);
      const { rows } = await db.query<{ id: string; text: string; client_id: string | null; author_name: string }>(
        'SELECT id::text, text, client_id::text, author_name FROM day_notes WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.size).toBe(200);
      batch.forEach((m, i) => {
        const r = m.record as { text: string; clientId: string | null };
        expect(byId.get(ids[i]!)).toEqual({ id: ids[i], text: r.text, client_id: r.clientId, author_name: 'Anna Lindqvist' });
      });
      expect(await count('SELECT count(*)::int AS n FROM changes WHERE record_id = ANY($1::uuid[])', [ids])).toBe(200);
      expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'change' AND record_id = ANY($1::text[])", [ids])).toBe(200);
    });

    it('two pushes creating the same records under other mutation ids, at the same time: one applies them, the other is refused CONFLICT', async () => {
      const [anna, sara] = [await h.login('anna'), await h.login('sara')];
      for (let round = 0; round < 3; round++) {
        const notes = Array.from({ length: 20 }, () => dayNoteCreate(h.units.hemtjanst, null, 'Samtidigt.'));
        const twins = notes.map((m) => ({ ...m, mutationId: randomUUID() }));
        const [a, b] = await Promise.all([anna.push(...notes), sara.push(...twins)]);
        // Whichever came second (inside its batch, or in the one-at-a-time rerun after its insert
        // found the rows taken) sees every id taken.
        const statuses = [a, b].map((p) => [...new Set(p.results.map((r) => (r.status === 'applied' ? 'applied' : r.error.code)))]);
        expect(statuses.sort()).toEqual([['CONFLICT'], ['applied']]);
        expect(await count('SELECT count(*)::int AS n FROM day_notes WHERE id = ANY($1::uuid[])', [notes.map(idOf)])).toBe(20);
      }
    });

    it('a failure the rules did not foresee: the mutations before it are committed, it and the ones after it are not (nor claimed), and the push is a 5xx', async () => {
      const anna = await h.login('anna');
      const clientId = await h.client('hemtjanst', 13);
      const before = [dayNoteCreate(h.units.hemtjanst, clientId, 'Före 1.'), journalCreate(clientId, { text: 'Före 2.' })];
      const failing = dayNoteCreate(h.units.hemtjanst, null, 'Den här skrivningen faller på en trigger.');
      const after = [journalCreate(clientId, { text: 'Efter 1.' }), dayNoteCreate(h.units.hemtjanst, null, 'Efter 2.'), markErroneous(idOf(before[1]!))];
      const batch = [...before, failing, ...after];
      // A constraint the rules know nothing of: a trigger that refuses this one note.
      await db.exec(`
        CREATE FUNCTION test_push_unforeseen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.id = '${idOf(failing)}' THEN RAISE EXCEPTION 'test: an unforeseen failure'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_push_unforeseen BEFORE INSERT ON day_notes FOR EACH ROW EXECUTE FUNCTION test_push_unforeseen();`);
      const res = await h.app
        .inject({ method: 'POST', url: '/api/v1/sync/push', headers: { authorization: `Bearer ${anna.token}` }, payload: { mutations: batch } })
        .finally(() => db.exec('DROP TRIGGER test_push_unforeseen ON day_notes; DROP FUNCTION test_push_unforeseen();'));
      expect(res.statusCode).toBe(500);
      expect(ServerErrorBody.parse(res.json()).error.code).toBe('INTERNAL');

      const ids = (ms: Mutation[]) => ms.map(idOf);
      const mutationIds = (ms: Mutation[]) => ms.map((m) => m.mutationId);
      const records = async (ms: Mutation[]) =>
        count('SELECT ((SELECT count(*) FROM day_notes WHERE id = ANY($1::uuid[])) + (SELECT count(*) FROM journal_entries WHERE id = ANY($1::uuid[])))::int AS n', [ids(ms)]);
      expect(await records(before)).toBe(2);
      expect(await count('SELECT count(*)::int AS n FROM applied_mutations WHERE mutation_id = ANY($1::uuid[]) AND result IS NOT NULL', [mutationIds(before)])).toBe(2);
      expect(await records([failing, ...after.slice(0, 2)])).toBe(0);
      expect(await count('SELECT count(*)::int AS n FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [mutationIds([failing, ...after])])).toBe(0);
      expect(await count('SELECT count(*)::int AS n FROM journal_entries WHERE id = $1 AND erroneous_at IS NULL', [idOf(before[1]!)])).toBe(1);
      expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'change' AND record_id = ANY($1::text[])", [ids(before)])).toBe(2);
      expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'change' AND record_id = ANY($1::text[])", [ids([failing, ...after.slice(0, 2)])])).toBe(0);

      // The workstation retries the same push: the ones before answer from storage, the rest apply now.
      const stored = (await db.query<{ mutation_id: string; result: unknown }>('SELECT mutation_id::text, result FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [mutationIds(before)])).rows;
      const { results } = await anna.push(...batch);
      expect(results.map((r) => r.status)).toEqual(batch.map(() => 'applied'));
      for (const s of stored) {
        const result = typeof s.result === 'string' ? JSON.parse(s.result) : s.result;
        expect(results.find((r) => r.mutationId === s.mutation_id)).toEqual(result);
      }
      expect(await records(batch)).toBe(5);
      expect(await count('SELECT count(*)::int AS n FROM journal_entries WHERE id = $1 AND erroneous_at IS NOT NULL', [idOf(before[1]!)])).toBe(1);
    });

    it('logs each applied change as a `change` event without the text, and a pull that hands out records as one `read` of `sync`', async () => {
      const anna = await h.login('anna');
      const clientId = await h.client('hemtjanst', 7);
      const m = journalCreate(clientId, { text: 'Hemligt innehåll som aldrig loggas.' });
      const before = await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'read' AND record_type = 'sync'");
      await anna.push(m);
      const { rows } = await db.query<{ actor_staff_id: string; actor_hsa_id: string; client_id: string; record_type: string; outcome: string; workstation: string; all: string }>(
        "SELECT actor_staff_id::text, actor_hsa_id, client_id::text, record_type, outcome, workstation, row_to_json(a)::text AS all FROM access_log a WHERE record_id = $1",
        [(m.record as { id: string }).id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_staff_id: anna.staffId, actor_hsa_id: SYNC_PEOPLE.anna.hsaId, client_id: clientId, record_type: 'journal_entry', outcome: 'success', workstation: 'WS-SYNC' });
      expect(rows[0]!.all).not.toContain('Hemligt');
      const { cursors } = await pullAll(anna);
      const afterFull = await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'read' AND record_type = 'sync'");
      expect(afterFull).toBe(before + 1);
      await anna.pull(cursors); // nothing new: not logged
      expect(await count("SELECT count(*)::int AS n FROM access_log WHERE action = 'read' AND record_type = 'sync'")).toBe(afterFull);
    });

    it('when a permission ends, the unit leaves `units` and `cursors` of the next pull and its pushes are refused FORBIDDEN', async () => {
      const olof = await h.login('olof');
      const first = await pullAll(olof);
      expect(first.last.units.map((u) => u.unitId).sort()).toEqual([h.units.daglig, h.units.hemtjanst].sort());
      const yesterday = swedishDate(new Date(), -1);
      await db.query(
        `UPDATE permissions SET valid_to = $2 WHERE unit_id = $3 AND staff_id = (SELECT id FROM staff WHERE hsa_id = $1)`,
        [SYNC_PEOPLE.olof.hsaId, yesterday, h.units.daglig],
      );
      const next = await olof.pull(first.cursors);
      expect(next.units.map((u) => u.unitId)).toEqual([h.units.hemtjanst]);
      expect(Object.keys(next.cursors)).toEqual([h.units.hemtjanst]);
      expect(next.changes.every((c) => c.unitId === h.units.hemtjanst)).toBe(true);
      const { results } = await olof.push(journalCreate(await h.client('daglig', 2)), dayNoteCreate(h.units.daglig, null), journalCreate(await h.client('hemtjanst', 8)));
      expect(results.map((r) => (r.status === 'applied' ? 'applied' : r.error.code))).toEqual(['FORBIDDEN', 'FORBIDDEN', 'applied']);
    });

    it('the journal is immutable in the database: UPDATE of its text and DELETE fail; marking erroneous works once', async () => {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM journal_entries WHERE erroneous_at IS NULL LIMIT 1');
      const id = rows[0]!.id;
      await expect(db.query("UPDATE journal_entries SET text = 'ändrad' WHERE id = $1", [id])).rejects.toThrow(/only marking it erroneous/);
      await expect(db.query('UPDATE journal_entries SET event_date = event_date - 1 WHERE id = $1', [id])).rejects.toThrow(/journal_entries/);
      await expect(db.query('DELETE FROM journal_entries WHERE id = $1', [id])).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE journal_entries CASCADE')).rejects.toThrow(/append-only/);
      const mark = `UPDATE journal_entries SET erroneous_at = now(), erroneous_by_staff_id = author_staff_id, erroneous_by_hsa_id = author_hsa_id,
                      erroneous_by_name = author_name, erroneous_by_title = author_title, erroneous_reason = 'Fel' WHERE id = $1`;
      await db.query(mark, [id]);
      await expect(db.query(mark, [id])).rejects.toThrow(/already marked/);
      await expect(db.query('UPDATE journal_entries SET erroneous_at = NULL, erroneous_by_staff_id = NULL, erroneous_by_hsa_id = NULL, erroneous_by_name = NULL, erroneous_by_title = NULL, erroneous_reason = NULL WHERE id = $1', [id])).rejects.toThrow(/already marked/);
      expect(await count("SELECT count(*)::int AS n FROM journal_entries WHERE id = $1 AND text <> 'ändrad'", [id])).toBe(1);
    });

    it('a day note keeps its text; only summarised_at may be set, and that is a change in the feed (which keeps only the latest)', async () => {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM day_notes LIMIT 1');
      const id = rows[0]!.id;
      await expect(db.query("UPDATE day_notes SET text = 'ändrad' WHERE id = $1", [id])).rejects.toThrow(/never changed/);
      const latest = () => count('SELECT max(seq)::int AS n FROM changes WHERE record_id = $1', [id]);
      const before = await latest();
      await db.query('UPDATE day_notes SET summarised_at = now() WHERE id = $1', [id]);
      expect(await latest()).toBeGreaterThan(before);
      // Compaction (migration 0006): the superseded change is gone, the record has one row.
      expect(await count('SELECT count(*)::int AS n FROM changes WHERE record_id = $1', [id])).toBe(1);
    });

    it('retention: a day note 91 days old is never pulled, and the purge deletes it (a delete in the feed); one 89 days old stays', async () => {
      const anna = await h.login('anna');
      const { cursors } = await pullAll(anna);
      const staff = anna.staffId;
      const note = async (daysOld: number) => {
        const id = randomUUID();
        await db.query(
          `INSERT INTO day_notes (id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
           VALUES ($1, $2, $3, $4, $5, 'Anna Lindqvist', 'Undersköterska', $6)`,
          [id, h.units.hemtjanst, `Gammal anteckning, ${daysOld} dagar`, staff, SYNC_PEOPLE.anna.hsaId, new Date(Date.now() - daysOld * DAY_MS)],
        );
        return id;
      };
      const old = await note(91);
      const young = await note(89);

      // Before the job runs: the old note is a delete in the feed (the workstation never had it: from 0 it is not sent at all).
      const pulled = await anna.pull(cursors);
      expect(pulled.changes.map((c) => [c.id, c.op])).toEqual([[old, 'delete'], [young, 'upsert']]);
      const fromEmpty = await pullAll(anna);
      expect(fromEmpty.changes.some((c) => c.id === old)).toBe(false);
      expect(fromEmpty.changes.some((c) => c.id === young)).toBe(true);

      const result = await purgeExpired(db, SERVER_REGISTRY.retained, new Date());
      expect(result.deleted).toBeGreaterThanOrEqual(1);
      expect(result.unitIds).toContain(h.units.hemtjanst);
      expect(await count('SELECT count(*)::int AS n FROM day_notes WHERE id = ANY($1::uuid[])', [[old, young]])).toBe(1);
      const after = await anna.pull(pulled.cursors);
      expect(after.changes.map((c) => [c.id, c.op])).toEqual([[old, 'delete']]);

      // With the clock two days on, the 89-day note is 91 days old: gone too.
      await purgeExpired(db, SERVER_REGISTRY.retained, new Date(Date.now() + 2 * DAY_MS));
      expect(await count('SELECT count(*)::int AS n FROM day_notes WHERE id = $1', [young])).toBe(0);
      const last = await anna.pull(after.cursors);
      expect(last.changes.map((c) => [c.id, c.op])).toEqual([[young, 'delete']]);
    });

    it('answers 401 without a session and 400 VALIDATION for a malformed push or pull', async () => {
      for (const url of ['/api/v1/sync/pull', '/api/v1/sync/push']) {
        const res = await h.app.inject({ method: 'POST', url, payload: {} });
        expect([res.statusCode, ServerErrorBody.parse(res.json()).error.code]).toEqual([401, 'UNAUTHENTICATED']);
      }
      expect((await h.app.inject({ method: 'GET', url: '/api/v1/sync/events' })).statusCode).toBe(401);
      const anna = await h.login('anna');
      const headers = { authorization: `Bearer ${anna.token}` };
      const badPush = await h.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { mutations: [{ type: 'journal_entry.delete' }] } });
      expect([badPush.statusCode, ServerErrorBody.parse(badPush.json()).error.code]).toEqual([400, 'VALIDATION']);
      const badPull = await h.app.inject({ method: 'POST', url: '/api/v1/sync/pull', headers, payload: { cursors: { 'not-a-unit': -1 } } });
      expect([badPull.statusCode, ServerErrorBody.parse(badPull.json()).error.code]).toEqual([400, 'VALIDATION']);
    });
  });

  describe(`sync: server-sent events on ${label}`, { timeout: 30_000 }, () => {
    let handle: SuiteDb;
    let h: SyncHarness;
    let base: string;

    beforeAll(async () => {
      handle = await open();
      h = await startSyncHarness(handle.db, { listen: true });
      base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    }, 120_000);
    afterAll(async () => {
      await h?.app.close();
      await handle?.close();
    });

    it('sends `ready`, then `changed` for the unit within a second of another session’s push, and nothing for units out of scope', async () => {
      const anna = await h.login('anna');
      const sara = await h.login('sara');
      const stream = await openEvents(base, anna.token);
      try {
        expect(await stream.next('ready')).toEqual({ unitIds: [h.units.hemtjanst] });
        await sara.push(journalCreate(await h.client('daglig', 0)));
        const started = Date.now();
        await sara.push(journalCreate(await h.client('hemtjanst', 0)), dayNoteCreate(h.units.hemtjanst, null));
        expect(await stream.next('changed', 1_000)).toEqual({ unitIds: [h.units.hemtjanst] });
        expect(Date.now() - started).toBeLessThan(1_000);
        // Coalesced: the two writes (and their NOTIFYs) gave one event.
        await new Promise((r) => setTimeout(r, 300));
        expect(stream.events.filter((e) => e.event === 'changed')).toHaveLength(0);
      } finally {
        stream.close();
      }
    });

    it('spreads one write’s `changed` over the unit’s streams (coalescing window + up to the spread), so its workstations do not all pull at one instant', async () => {
      // Six sessions of the unit (a unit's workstations), one write by another: each stream gets one
      // `changed`, 50 ms (coalesceMs) plus its own draw of up to 400 ms (spreadMs) after it. Without
      // the spread the six timers fire in one tick. The server shares this process's event loop, and a
      // loop held up (PGlite runs on it) would fire them together all the same: up to three writes.
      const sessions = await Promise.all(Array.from({ length: 6 }, () => h.login('anna')));
      const streams = await Promise.all(sessions.map((s) => openEvents(base, s.token)));
      try {
        for (const stream of streams) expect(await stream.next('ready')).toEqual({ unitIds: [h.units.hemtjanst] });
        const sara = await h.login('sara');
        const ranges: string[] = [];
        let widest = 0;
        for (let attempt = 0; attempt < 3 && widest <= 20; attempt++) {
          const sent = performance.now();
          await sara.push(journalCreate(await h.client('hemtjanst', 1)));
          // When each stream's reader saw its `changed`.
          const times = await vi.waitFor(
            () =>
              streams.map((stream) => {
                const e = stream.events.find((x) => x.event === 'changed');
                if (!e) throw new Error('a stream has no `changed` yet');
                return e.at;
              }),
            { timeout: 3_000, interval: 10 },
          );
          for (const stream of streams) expect(await stream.next('changed')).toEqual({ unitIds: [h.units.hemtjanst] });
          expect(Math.min(...times) - sent).toBeGreaterThanOrEqual(45);
          widest = Math.max(widest, Math.max(...times) - Math.min(...times));
          ranges.push(times.map((t) => Math.round(t - sent)).join(', '));
          // One event per stream and write: nothing follows within the spread.
          await new Promise((r) => setTimeout(r, 500));
          for (const stream of streams) expect(stream.events.filter((e) => e.event === 'changed')).toHaveLength(0);
        }
        // Six draws from 0–400 ms lie within 20 ms of each other with a probability of about 6 × (20/400)^5 ≈ 2e-6.
        expect(widest, `arrivals after each write (ms): ${ranges.join(' | ')}`).toBeGreaterThan(20);
      } finally {
        for (const stream of streams) stream.close();
      }
    });

    it('keeps alive with comments and closes with `end` once the session is logged out', async () => {
      const anna = await h.login('anna');
      const stream = await openEvents(base, anna.token);
      try {
        await stream.next('ready');
        await expect.poll(() => stream.comments, { timeout: 2_000, interval: 10 }).toBeGreaterThan(0);
        const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${anna.token}` } });
        expect(out.statusCode).toBe(200);
        expect(await stream.next('end', 2_000)).toEqual({ code: 'UNAUTHENTICATED' });
        await stream.closed;
      } finally {
        stream.close();
      }
    });
  });
}

export interface EventStreamClient {
  /** Events not yet taken by `next`, each with when it arrived (performance.now()). */
  events: { event: string; data: unknown; at: number }[];
  comments: number;
  next(event: string, timeoutMs?: number): Promise<unknown>;
  closed: Promise<void>;
  close(): void;
}

/** A minimal SSE reader over fetch (what the workstation's Node client does too). */
export async function openEvents(base: string, token: string): Promise<EventStreamClient> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/sync/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const client: EventStreamClient = {
    events: [],
    comments: 0,
    next: async (event, timeoutMs = 2_000) => {
      const found = await vi.waitFor(
        () => {
          const e = client.events.find((x) => x.event === event);
          if (!e) throw new Error(`event stream: no \`${event}\` yet; events so far ${JSON.stringify(client.events)}`);
          return e;
        },
        { timeout: timeoutMs, interval: 10 },
      );
      client.events.splice(client.events.indexOf(found), 1);
      return found.data;
    },
    closed: Promise.resolve(),
    close: () => controller.abort(),
  };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  client.closed = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(':')) {
            client.comments++;
            continue;
          }
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          client.events.push({ event, data: data === undefined ? undefined : JSON.parse(data), at: performance.now() });
        }
      }
    } catch {
      // aborted
    }
  })();
  return client;
}
