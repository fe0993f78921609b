import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientRecord, DayNoteRecord } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { createWorkstation } from '../../../main/app';
import { cardAccessOver } from '../../../main/session/card-access';
import type { Workstation } from '../../../main/workstation';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { SERVER_REGISTRY } from '../../../server/kinds';
import { purgeExpired } from '../../../server/sync/retention';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';

/**
 * The journal and day notes on the workstation against the real server on PostgreSQL, with the
 * software card in the in-process reader: drafts through lock/unlock and a restart, the write →
 * sync → server round, corrections, summaries, the access-log events the workstation reports,
 * the server's refusal of another unit's client, and day-note retention with a controlled clock.
 */
const DAY = 86_400_000;
let stack: Stack;
let clockOffsetMs = 0;
const reader = new DemoInProcessReader('Testläsare');
let sara: string;
let anna: string;
let dataDir: string;
let ws: Workstation;
let majorna: ClientRecord;
let hisingen: ClientRecord;

const open = () =>
  createWorkstation({ host: 'browser', serverUrl: stack.serverUrl, dataDir, card: cardAccessOver(reader), workstationName: 'journal-it', sync: { events: false, safetyPullMs: 600_000 } });
async function call<T>(method: string, input: unknown = {}): Promise<T> {
  const r = await ws.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
const login = async (card: string) => {
  reader.insert(await openCardFile(card));
  await call('session.login', { pin: '123456' });
  // Also from beforeAll, where expect.poll is not available.
  await vi.waitFor(async () => expect((await call<ClientRecord[]>('clients.list', { limit: 500 })).length).toBeGreaterThan(0), { timeout: LIVE_WAIT_MS, interval: 50 });
};
const syncNow = () => call('sync.now');
const accessRows = async (clientId: string, action: string) =>
  (await stack.db.query<{ action: string; record_type: string; record_id: string | null; actor_hsa_id: string; workstation: string }>(
    'SELECT action, record_type, record_id, actor_hsa_id, workstation FROM access_log WHERE client_id = $1 AND action = $2 ORDER BY id',
    [clientId, action],
  )).rows;

beforeAll(async () => {
  stack = await startStack('journal', {
    card: cardAccessOver(reader),
    serverSync: { now: () => new Date(Date.now() + clockOffsetMs), retentionIntervalMs: false },
  });
  sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '123456' });
  dataDir = mkdtempSync(path.join(tmpdir(), 'ws-journal-'));
  ws = await open();
  await login(sara);
  const clients = await call<ClientRecord[]>('clients.list', { limit: 500 });
  const units = await call<{ id: string; name: string }[]>('units.list');
  const majornaId = units.find((u) => u.name === 'Hemtjänst Majorna')!.id;
  majorna = clients.find((c) => c.unitId === majornaId)!;
  hisingen = clients.find((c) => c.unitId !== majornaId)!;
}, 60_000);
afterAll(async () => {
  await ws?.close();
  await stack?.stop();
});

describe('clients', () => {
  it('clients.get reads one client of the user by id (the client page: not only among the first 500); another id is null; a non-uuid is refused', async () => {
    expect(await call<ClientRecord | null>('clients.get', { id: hisingen.id })).toEqual(hisingen);
    expect(await call<ClientRecord | null>('clients.get', { id: randomUUID() })).toBeNull();
    const bad = await ws.dispatch('clients.get', { id: 'x' });
    expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
  });
});

describe('drafts', () => {
  const draft = () => ({ clientId: majorna.id, text: 'Halvskriven anteckning om morgonbesöket', eventDate: '2026-01-15', lifeArea: 'self_care' });

  it('survive a lock and unlock (the store closes in between)', async () => {
    await call('drafts.save', draft());
    reader.remove();
    const locked = await ws.dispatch('drafts.get', { clientId: majorna.id });
    expect(locked.ok === false && locked.error.code).toBe('SESSION_LOCKED');
    await login(sara);
    expect(await call('drafts.get', { clientId: majorna.id })).toMatchObject({ text: draft().text, eventDate: '2026-01-15', lifeArea: 'self_care', correctsId: null });
  });

  it('survive a restart of the workstation on the same data folder', async () => {
    await call('drafts.save', { ...draft(), text: `${draft().text}, fortsättning` });
    await ws.close();
    reader.remove();
    ws = await open();
    await login(sara);
    expect(await call('drafts.get', { clientId: majorna.id })).toMatchObject({ text: `${draft().text}, fortsättning` });
    // A correction's draft is its own.
    expect(await call('drafts.get', { clientId: majorna.id, correctsId: randomUUID() })).toBeNull();
  });

  it('are deleted when the entry is saved', async () => {
    await call('journal.create', { clientId: majorna.id, eventDate: '2026-01-15', text: 'Morgonbesök, dusch och frukost.', lifeArea: 'self_care' });
    expect(await call('drafts.get', { clientId: majorna.id })).toBeNull();
  });
});

describe('the journal', () => {
  it('a new entry is pending until the server has it, then stamped by the server', async () => {
    const e = await call<LocalJournalEntry>('journal.create', { clientId: majorna.id, eventDate: '2026-01-16', text: 'Promenad med rollator.' });
    expect(e.pending).toBe(true);
    await syncNow();
    await expect.poll(async () => !(await call<LocalJournalEntry[]>('journal.list', { clientId: majorna.id })).find((x) => x.id === e.id)!.pending, { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
    const { rows } = await stack.db.query<{ author_hsa_id: string }>('SELECT author_hsa_id FROM journal_entries WHERE id = $1', [e.id]);
    expect(rows[0]?.author_hsa_id).toBe('SE2321000131-P000000000103');
  });

  it('opening it is a read in the access log, with the workstation', async () => {
    await expect.poll(async () =>
      (await accessRows(majorna.id, 'read')).some((r) => r.record_type === 'journal' && r.actor_hsa_id === 'SE2321000131-P000000000103' && r.workstation === 'journal-it'), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
  });

  it('searches a client\'s entries', async () => {
    const found = await call<LocalJournalEntry[]>('journal.list', { clientId: majorna.id, search: 'ROLLATOR' });
    expect(found.map((e) => e.text)).toContain('Promenad med rollator.');
    expect(found.every((e) => e.text.toLowerCase().includes('rollator'))).toBe(true);
  });

  it('a correction marks the original erroneous and adds a linked entry; the server keeps both', async () => {
    const original = await call<LocalJournalEntry>('journal.create', { clientId: majorna.id, eventDate: '2026-01-17', text: 'Fel brukare antecknad.' });
    const { marked, correction } = await call<{ marked: LocalJournalEntry; correction: LocalJournalEntry }>('journal.correct', {
      entryId: original.id, reason: 'Skrivet på fel brukare', eventDate: '2026-01-17', text: 'Rättad: inget besök denna dag.',
    });
    expect(marked.erroneous).toMatchObject({ reason: 'Skrivet på fel brukare', markedBy: { name: 'Sara Nyström' } });
    expect(correction.correctsId).toBe(original.id);
    await syncNow();
    await expect.poll(async () => (await call<LocalJournalEntry[]>('journal.list', { clientId: majorna.id })).every((e) => !e.pending), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
    const { rows } = await stack.db.query<{ id: string; text: string; erroneous_reason: string | null; corrects_id: string | null }>(
      'SELECT id, text, erroneous_reason, corrects_id FROM journal_entries WHERE id = ANY($1::uuid[])', [[original.id, correction.id]]);
    expect(rows.find((r) => r.id === original.id)).toMatchObject({ text: 'Fel brukare antecknad.', erroneous_reason: 'Skrivet på fel brukare' });
    expect(rows.find((r) => r.id === correction.id)?.corrects_id).toBe(original.id);
  });

  it('exports a PDF into the exports folder, logged as an export', async () => {
    // No host here: the file goes to the exports folder (the hosts' dialogs and downloads: browser-host and shell tests, e2e).
    const out = await call<{ delivery: { kind: string; path: string }; entries: number; bytes: number }>('journal.export', { clientId: majorna.id });
    expect(out.delivery.kind).toBe('file');
    expect(existsSync(out.delivery.path)).toBe(true);
    expect(out.delivery.path.startsWith(path.join(dataDir, 'exports'))).toBe(true);
    expect(readFileSync(out.delivery.path).subarray(0, 5).toString()).toBe('%PDF-');
    expect(out.entries).toBeGreaterThan(3);
    await expect.poll(async () => (await accessRows(majorna.id, 'export')).length, { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(1);
  });

  it('a copy reported by the renderer is a copy event', async () => {
    const [entry] = await call<LocalJournalEntry[]>('journal.list', { clientId: majorna.id, limit: 1 });
    await call('audit.copied', { clientId: majorna.id, recordType: 'journal_entry', recordId: entry!.id });
    await expect.poll(async () => (await accessRows(majorna.id, 'copy')).some((r) => r.record_id === entry!.id), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
  });
});

describe('day notes', () => {
  it('summarised into a journal entry: the notes are marked summarised, locally and on the server', async () => {
    const n1 = await call<DayNoteRecord>('daynotes.create', { unitId: majorna.unitId, clientId: majorna.id, text: 'Kaffet är slut.' });
    const n2 = await call<DayNoteRecord>('daynotes.create', { unitId: majorna.unitId, clientId: majorna.id, text: 'Dottern på besök.' });
    await syncNow();
    await call('journal.create', {
      clientId: majorna.id, eventDate: '2026-01-18', text: 'Sammanfattning: kaffe köpt, dottern på besök.', summarisedNoteIds: [n1.id, n2.id],
    });
    const local = await call<DayNoteRecord[]>('daynotes.list', { unitId: majorna.unitId, clientId: majorna.id });
    expect(local.filter((n) => n.id === n1.id || n.id === n2.id).every((n) => n.summarisedAt !== null)).toBe(true);
    await syncNow();
    await expect.poll(async () => {
      const { rows } = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM day_notes WHERE id = ANY($1::uuid[]) AND summarised_at IS NOT NULL', [[n1.id, n2.id]]);
      return Number(rows[0]?.n) === 2;
    }, { timeout: 10_000, interval: 50 }).toBe(true);
    // Only summarised_at changed: the text is as written.
    const { rows } = await stack.db.query<{ text: string }>('SELECT text FROM day_notes WHERE id = $1', [n1.id]);
    expect(rows[0]?.text).toBe('Kaffet är slut.');
  });

  it('retention with a controlled clock: 91 days old is gone from server and cache, 89 days old is not', async () => {
    const old = randomUUID();
    const younger = randomUUID();
    // Written 85 and 83 days ago; the clock then moves 6 days on.
    for (const [id, days] of [[old, 85], [younger, 83]] as const) {
      await stack.db.query(
        `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT $1, unit_id, client_id, $2, author_staff_id, author_hsa_id, author_name, author_title, $3, $3 FROM day_notes WHERE client_id = $4 LIMIT 1`,
        [id, `Gammal anteckning ${days} dagar`, new Date(Date.now() - days * DAY), majorna.id],
      );
    }
    await syncNow();
    const ids = async () => (await call<DayNoteRecord[]>('daynotes.list', { unitId: majorna.unitId, limit: 500 })).map((n) => n.id);
    await expect.poll(async () => (await ids()).includes(old) && (await ids()).includes(younger), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
    clockOffsetMs = 6 * DAY;
    await purgeExpired(stack.db, SERVER_REGISTRY.retained, new Date(Date.now() + clockOffsetMs));
    await syncNow();
    await expect.poll(async () => !(await ids()).includes(old), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
    expect(await ids()).toContain(younger);
    const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM day_notes WHERE id = ANY($1::uuid[])', [[old, younger]]);
    expect(rows.map((r) => r.id)).toEqual([younger]);
    clockOffsetMs = 0;
  });
});

describe('the server refuses access events outside the user\'s units', () => {
  it('Anna (Majorna only) copying from a Hisingen client: refused, not recorded, and dropped from the queue', async () => {
    reader.remove();
    await login(anna);
    const before = (await accessRows(hisingen.id, 'copy')).length;
    await call('audit.copied', { clientId: hisingen.id, recordType: 'journal' });
    await call('audit.copied', { clientId: majorna.id, recordType: 'journal' });
    await expect.poll(async () => (await accessRows(majorna.id, 'copy')).some((r) => r.actor_hsa_id === 'SE2321000131-P000000000101'), { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(true);
    expect((await accessRows(hisingen.id, 'copy')).length).toBe(before);
  });

  it('answers 401 without a session', async () => {
    const noSession = await fetch(`${stack.serverUrl}/api/v1/access-log/events`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ action: 'read', clientId: hisingen.id, recordType: 'journal', at: new Date().toISOString() }] }),
    });
    expect(noSession.status).toBe(401);
  });
});
