import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import { author, client, dayNote, del, journalCreate, journalEntry, noteCreate, tempDir, unit, upsert } from './fixtures';

let store: LocalStore;
const tmp = tempDir();
const home = unit('Hemtjänst Norr');
const other = unit('Hemtjänst Söder');
const anna = client(home.unitId, { givenName: 'Anna', familyName: 'Östlund', personnummer: '193901011234' });
const bo = client(home.unitId, { givenName: 'Bo', familyName: 'Andersson', personnummer: '194502023456' });
const cecilia = client(home.unitId, { givenName: 'Cecilia', familyName: 'Åberg', personnummer: '195003035678' });
const david = client(other.unitId, { givenName: 'David', familyName: 'Berg', personnummer: '196004047890' });

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: 'SE2321000131-P000000000103', vault: new DevKeyFileVault(tmp.dir) });
  await store.applyPull({
    units: [home, other],
    changes: [anna, bo, cecilia].map((c) => upsert('client', c)).concat(upsert('client', david)),
    cursors: { [home.unitId]: 4, [other.unitId]: 1 },
  });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('reads', () => {
  it('lists units, cursors and clients in Swedish name order (å ä ö after z)', async () => {
    expect((await store.units()).map((u) => u.name)).toEqual(['Hemtjänst Norr', 'Hemtjänst Söder']);
    expect(await store.cursors()).toEqual({ [home.unitId]: 4, [other.unitId]: 1 });
    expect((await store.clients({ unitId: home.unitId, limit: 50 })).map((c) => c.familyName)).toEqual(['Andersson', 'Åberg', 'Östlund']);
    expect((await store.clients({ limit: 2, offset: 1 })).map((c) => c.familyName)).toEqual(['Berg', 'Åberg']);
    expect(await store.client(anna.id)).toEqual(anna);
    expect(await store.client(randomUUID())).toBeNull();
  });

  it('searches clients by name start and personnummer, treating LIKE wildcards as text', async () => {
    expect((await store.clients({ search: 'åbe', limit: 10 })).map((c) => c.id)).toEqual([cecilia.id]);
    expect((await store.clients({ search: 'anna', limit: 10 })).map((c) => c.id)).toEqual([anna.id]);
    expect((await store.clients({ search: '19450202', limit: 10 })).map((c) => c.id)).toEqual([bo.id]);
    expect(await store.clients({ search: '%', limit: 10 })).toEqual([]);
    expect(await store.clients({ search: '_', limit: 10 })).toEqual([]);
  });

  it('pages a journal newest first by eventDate, createdAt, id (keyset)', async () => {
    const entries = Array.from({ length: 7 }, (_, i) =>
      journalEntry(anna, { eventDate: `2024-05-0${1 + (i % 3)}`, createdAt: `2024-05-0${1 + (i % 3)}T0${i}:00:00.000Z`, text: `Anteckning ${i}` }),
    );
    await store.applyPull({ units: [home, other], changes: entries.map((e) => upsert('journal_entry', e)), cursors: {} });
    const expected = [...entries].sort((a, b) => (b.eventDate + b.createdAt + b.id).localeCompare(a.eventDate + a.createdAt + a.id)).map((e) => e.id);
    const seen: string[] = [];
    let before: { eventDate: string; createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await store.journal({ clientId: anna.id, limit: 3, ...(before ? { before } : {}) });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.id));
      const last = page[page.length - 1]!;
      before = { eventDate: last.eventDate, createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(expected);
    const first = (await store.journal({ clientId: anna.id, limit: 1 }))[0]!;
    expect(first).toEqual({ ...entries.find((e) => e.id === first.id), pending: false });
  });

  it('pages day notes of a unit and of one client (keyset)', async () => {
    const notes = Array.from({ length: 5 }, (_, i) => dayNote(home.unitId, { createdAt: `2024-05-10T1${i}:00:00.000Z`, clientId: i % 2 ? bo.id : null, text: `Dagens notering ${i}` }));
    await store.applyPull({ units: [home, other], changes: notes.map((n) => upsert('day_note', n)), cursors: {} });
    const p1 = await store.dayNotes({ unitId: home.unitId, limit: 3 });
    const p2 = await store.dayNotes({ unitId: home.unitId, limit: 3, before: { createdAt: p1[2]!.createdAt, id: p1[2]!.id } });
    expect([...p1, ...p2].map((n) => n.text)).toEqual([4, 3, 2, 1, 0].map((i) => `Dagens notering ${i}`));
    expect((await store.dayNotes({ unitId: home.unitId, clientId: bo.id, limit: 10 })).map((n) => n.text)).toEqual(['Dagens notering 3', 'Dagens notering 1']);
  });
});

describe('full-text search over day notes', () => {
  beforeAll(async () => {
    await store.applyPull({
      units: [home, other],
      changes: [
        dayNote(home.unitId, { text: 'Brukaren åt frukost och gick en promenad', createdAt: '2024-06-01T08:00:00.000Z' }),
        dayNote(home.unitId, { text: 'Frukosten uteblev, ring anhöriga', createdAt: '2024-06-02T08:00:00.000Z' }),
        dayNote(other.unitId, { text: 'Larmet testat, "OK" AND fungerar', createdAt: '2024-06-03T08:00:00.000Z' }),
        dayNote(home.unitId, { text: 'Far och får är olika ord', createdAt: '2024-06-04T08:00:00.000Z' }),
      ].map((n) => upsert('day_note', n)),
      cursors: {},
    });
  });

  it('finds by word, case-insensitively, and by prefix; newest first', async () => {
    expect((await store.searchDayNotes({ query: 'promenad', limit: 10 })).map((n) => n.text)).toEqual(['Brukaren åt frukost och gick en promenad']);
    expect((await store.searchDayNotes({ query: 'FRUKOST', limit: 10 })).length).toBe(2); // prefix: frukost*, matches Frukosten too
    expect((await store.searchDayNotes({ query: 'fruk', limit: 10 })).map((n) => n.text)).toEqual([
      'Frukosten uteblev, ring anhöriga',
      'Brukaren åt frukost och gick en promenad',
    ]);
    expect((await store.searchDayNotes({ query: 'frukost promenad', limit: 10 })).length).toBe(1);
    expect((await store.searchDayNotes({ query: 'fruk', unitId: other.unitId, limit: 10 })).length).toBe(0);
  });

  it('keeps å ä ö apart (får is not far)', async () => {
    expect((await store.searchDayNotes({ query: 'får', limit: 10 })).length).toBe(1);
    expect((await store.searchDayNotes({ query: 'anhöriga', limit: 10 })).length).toBe(1);
  });

  it('is safe with quotes and FTS operators in the input', async () => {
    for (const q of ['"', '""', '"OK', 'OK"', 'AND', 'OR NOT', 'NEAR(a b)', 'text:larmet', '*', '(', ')', "'", 'larmet)', '^larmet', '-', '']) {
      await expect(store.searchDayNotes({ query: q, limit: 10 })).resolves.toBeInstanceOf(Array);
    }
    expect((await store.searchDayNotes({ query: '"OK" AND', limit: 10 })).map((n) => n.text)).toEqual(['Larmet testat, "OK" AND fungerar']);
    expect((await store.searchDayNotes({ query: 'text:larmet', limit: 10 })).length).toBe(0); // "text" is a word, not a column filter
    expect((await store.searchDayNotes({ query: 'larmet OR promenad', limit: 10 })).length).toBe(0); // OR is a word (AND of all)
  });
});

describe('outbox', () => {
  it('enqueue writes the pending record and the outbox entry together; acknowledge keeps the record until the pull', async () => {
    const m = journalCreate(bo, 'Bo fick hjälp med dusch');
    await store.enqueue(m, author);
    await store.enqueue(m, author); // the same mutation again: queued once
    expect(await store.outboxCount()).toBe(1);
    const [entry] = await store.outbox(10);
    expect(entry).toMatchObject({ mutation: m, type: 'journal_entry.create', attempts: 0, lastError: null });
    const [local] = await store.journal({ clientId: bo.id, limit: 1 });
    expect(local).toMatchObject({ id: m.record.id, unitId: home.unitId, text: 'Bo fick hjälp med dusch', author, pending: true, erroneous: null });

    await store.noteAttempt([m.mutationId], 'ECONNREFUSED');
    expect((await store.outbox(10))[0]).toMatchObject({ attempts: 1, lastError: 'ECONNREFUSED' });

    await store.acknowledge([m.mutationId]);
    expect(await store.outboxCount()).toBe(0);
    expect((await store.journal({ clientId: bo.id, limit: 1 }))[0]?.pending).toBe(true);
    // The pull brings the server's version: pending clears.
    const server = journalEntry(bo, { id: m.record.id, eventDate: '2024-06-01', text: 'Bo fick hjälp med dusch', createdAt: m.createdAt, lifeArea: null });
    await store.applyPull({ units: [home, other], changes: [upsert('journal_entry', server)], cursors: { [home.unitId]: 9 } });
    expect((await store.journal({ clientId: bo.id, limit: 1 }))[0]).toEqual({ ...server, pending: false });
  });

  it('keeps the outbox oldest first', async () => {
    const ms = [noteCreate(home.unitId, 'ett'), noteCreate(home.unitId, 'två', bo.id), noteCreate(home.unitId, 'tre')];
    for (const m of ms) await store.enqueue(m, author);
    expect((await store.outbox(10)).map((e) => e.mutation.mutationId)).toEqual(ms.map((m) => m.mutationId));
    expect((await store.outbox(2)).length).toBe(2);
    await store.acknowledge(ms.map((m) => m.mutationId));
  });

  it('refuse removes the local record, keeps the reason for the user until dismissed', async () => {
    const m = noteCreate(home.unitId, 'Hemlig notering som vägras');
    await store.enqueue(m, author);
    expect((await store.searchDayNotes({ query: 'vägras', limit: 5 })).map((n) => n.pending)).toEqual([true]);
    await store.refuse(m.mutationId, { code: 'FORBIDDEN', message: 'Ingen behörighet' });
    expect(await store.outboxCount()).toBe(0);
    expect(await store.searchDayNotes({ query: 'vägras', limit: 5 })).toEqual([]);
    expect(await store.refusals()).toEqual([expect.objectContaining({ mutationId: m.mutationId, type: 'day_note.create', code: 'FORBIDDEN', message: 'Ingen behörighet' })]);
    await store.dismissRefusal(m.mutationId);
    expect(await store.refusals()).toEqual([]);
  });

  it('counts server failures of one mutation in a row, per error; its refusal keeps the text to copy', async () => {
    const m = journalCreate(bo, 'Giftpillret som servern inte tål');
    await store.enqueue(m, author);
    expect(await store.noteServerFailure(m.mutationId, 'Servern svarade 500')).toBe(1);
    expect(await store.noteServerFailure(m.mutationId, 'Servern svarade 500')).toBe(2);
    expect(await store.noteServerFailure(m.mutationId, 'Servern svarade 502')).toBe(1); // another error: not "the same" in a row
    expect(await store.noteServerFailure(m.mutationId, 'Servern svarade 502')).toBe(2);
    expect((await store.outbox(10))[0]).toMatchObject({ attempts: 4, lastError: 'Servern svarade 502' });
    await store.refuse(m.mutationId, { code: 'SERVER_ERROR', message: 'Servern svarade med fel' });
    expect(await store.noteServerFailure(m.mutationId, 'Servern svarade 502')).toBe(0); // no longer queued
    expect(await store.refusals()).toEqual([expect.objectContaining({ mutationId: m.mutationId, code: 'SERVER_ERROR', text: 'Giftpillret som servern inte tål' })]);
    await store.dismissRefusal(m.mutationId);
  });

  it('a parked mutation waits (and later writes of its record behind it) while others go; one set aside stays, with its record, until another server', async () => {
    const a = journalCreate(bo, 'Parkerad');
    const b = journalCreate(bo, 'Går före');
    await store.enqueue(a, author);
    await store.enqueue(b, author);
    await store.park(a.mutationId, new Date(Date.now() + 60_000));
    expect((await store.outbox(10)).map((e) => e.mutation.mutationId)).toEqual([b.mutationId]);
    expect(await store.nextParked()).not.toBeNull();
    await store.acknowledge([b.mutationId]);
    await store.setAside(a.mutationId, '1.0#one', { code: 'SERVER_ERROR', message: 'Servern svarade med fel' });
    // Not sent, not counted as pending, its text shown, its local record kept.
    expect(await store.outbox(10)).toEqual([]);
    expect(await store.outboxCount()).toBe(0);
    expect(await store.refusals()).toEqual([expect.objectContaining({ mutationId: a.mutationId, code: 'SERVER_ERROR', text: 'Parkerad' })]);
    expect((await store.journal({ clientId: bo.id, limit: 50 })).find((e) => e.id === a.record.id)).toMatchObject({ pending: true });
    expect(await store.setAsideServers()).toEqual(['1.0#one']);
    // The same server: nothing released; another: sent again, the notice gone.
    expect(await store.releaseSetAside('1.0#one')).toBe(0);
    expect(await store.releaseSetAside('1.0#two')).toBe(1);
    expect((await store.outbox(10)).map((e) => e.mutation.mutationId)).toEqual([a.mutationId]);
    expect(await store.refusals()).toEqual([]);
    await store.acknowledge([a.mutationId]);
  });

  it('refuses a mutation the server would refuse (year 0000) before it is queued, whatever called it', async () => {
    const m = journalCreate(bo, 'År noll');
    await expect(store.enqueue({ ...m, record: { ...m.record, eventDate: '0000-01-01' } }, author)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await store.outboxCount()).toBe(0);
  });

  it('mark_erroneous marks locally; a refusal takes the mark back', async () => {
    const e = journalEntry(cecilia, { text: 'Fel brukare' });
    await store.applyPull({ units: [home, other], changes: [upsert('journal_entry', e)], cursors: {} });
    const m = { mutationId: randomUUID(), createdAt: '2024-06-05T10:00:00.000Z', type: 'journal_entry.mark_erroneous' as const, record: { id: e.id, reason: 'Skrevs på fel brukare' } };
    await store.enqueue(m, author);
    expect((await store.journal({ clientId: cecilia.id, limit: 1 }))[0]).toMatchObject({
      pending: true,
      erroneous: { markedAt: '2024-06-05T10:00:00.000Z', markedBy: author, reason: 'Skrevs på fel brukare' },
    });
    await store.refuse(m.mutationId, { code: 'CONFLICT', message: 'Redan felmarkerad' });
    expect((await store.journal({ clientId: cecilia.id, limit: 1 }))[0]).toMatchObject({ id: e.id, pending: false, erroneous: null });
    await store.dismissRefusal(m.mutationId);
  });

  it('refuses writes outside the local scope, and invalid mutations, writing nothing', async () => {
    const stranger = client(randomUUID());
    await expect(store.enqueue(journalCreate(stranger), author)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(store.enqueue(noteCreate(randomUUID(), 'x'), author)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(store.enqueue(noteCreate(home.unitId, 'x', david.id), author)).rejects.toMatchObject({ code: 'VALIDATION' });
    const bad = { ...journalCreate(anna), record: { ...journalCreate(anna).record, text: '' } };
    const err = await store.enqueue(bad, author).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppFailure);
    expect(err).toMatchObject({ code: 'VALIDATION' });
    expect(await store.outboxCount()).toBe(0);
  });
});

describe('applyPull', () => {
  it('upserts, deletes and purges a unit that left the scope; its unsent writes become PERMISSION_ENDED refusals', async () => {
    const e = journalEntry(david, { text: 'Davids anteckning' });
    const n = dayNote(other.unitId, { text: 'Söders notering' });
    await store.applyPull({ units: [home, other], changes: [upsert('journal_entry', e), upsert('day_note', n)], cursors: { [other.unitId]: 5 } });
    const unsent = journalCreate(david, 'Skrivet offline');
    await store.enqueue(unsent, author);
    await store.enqueue(noteCreate(home.unitId, 'Norr stannar'), author);

    // A delete and an update in scope, and the other unit gone from the scope.
    const renamed = { ...bo, givenName: 'Bosse' };
    await store.applyPull({ units: [home], changes: [upsert('client', renamed), del('client', cecilia.id, home.unitId)], cursors: { [home.unitId]: 12 } });

    expect(await store.units()).toEqual([home]);
    expect(await store.cursors()).toEqual({ [home.unitId]: 12 });
    expect(await store.client(bo.id)).toEqual(renamed);
    expect(await store.client(cecilia.id)).toBeNull();
    expect(await store.client(david.id)).toBeNull();
    expect(await store.journal({ clientId: david.id, limit: 10 })).toEqual([]);
    expect(await store.dayNotes({ unitId: other.unitId, limit: 10 })).toEqual([]);
    expect(await store.searchDayNotes({ query: 'Söders', limit: 10 })).toEqual([]);
    expect((await store.outbox(10)).map((o) => o.type)).toEqual(['day_note.create']);
    expect(await store.refusals()).toEqual([expect.objectContaining({ mutationId: unsent.mutationId, code: 'PERMISSION_ENDED' })]);
    // Changes for a unit not in the pull's scope are ignored.
    const stray = client(other.unitId);
    await store.applyPull({ units: [home], changes: [upsert('client', stray)], cursors: { [other.unitId]: 99 } });
    expect(await store.client(stray.id)).toBeNull();
    expect(await store.cursors()).toEqual({ [home.unitId]: 12 });
  });

  it('purges day notes past retention, pending ones included', async () => {
    await store.applyPull({ units: [home], changes: [upsert('day_note', dayNote(home.unitId, { text: 'Gammal', createdAt: '2020-01-01T00:00:00.000Z' }))], cursors: {} });
    await store.enqueue({ ...noteCreate(home.unitId, 'Gammal pending'), createdAt: '2020-01-02T00:00:00+01:00' }, author);
    const n = await store.purgeDayNotesBefore(new Date('2021-01-01T00:00:00Z'));
    expect(n).toBe(2);
    expect(await store.searchDayNotes({ query: 'gammal', limit: 10 })).toEqual([]);
  });
});

describe('readPullPage / applyPulledPage (a page as the server sent it, parsed and validated in the worker)', () => {
  const page = (changes: unknown[], cursors: Record<string, number>) =>
    new TextEncoder().encode(
      JSON.stringify({ units: [home], changes, cursors, hasMore: true, serverTime: '2026-01-01T00:00:00.000Z', retentionDays: { day_note: 90 } }),
    );

  it('transfers the buffer, answers the cursors and types, and applies the page only when asked', async () => {
    const e = journalEntry(anna, { text: 'Från bytes' });
    const bytes = page([upsert('journal_entry', e)], { [home.unitId]: 40 });
    const read = await store.readPullPage(bytes);
    expect(bytes.byteLength).toBe(0); // transferred to the worker, not copied
    expect(read).toMatchObject({ hasMore: true, cursors: { [home.unitId]: 40 }, types: ['journal_entry'], count: 1, retentionDays: { day_note: 90 } });
    expect(await store.journalEntry(e.id)).toBeNull();
    await store.applyPulledPage(read.pageId);
    expect(await store.journalEntry(e.id)).toMatchObject({ text: 'Från bytes' });
    expect((await store.cursors())[home.unitId]).toBe(40);
  });

  it('a page that breaks the contract is SERVER_ERROR and nothing of it is applied', async () => {
    const before = await store.cursors();
    const good = journalEntry(anna, { text: 'Ska inte synas' });
    const bad = page([upsert('journal_entry', good), { ...upsert('journal_entry', journalEntry(anna)), seq: 'x' }], { [home.unitId]: 99 });
    await expect(store.readPullPage(bad)).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    await expect(store.readPullPage(new TextEncoder().encode('{"units":'))).rejects.toBeInstanceOf(AppFailure);
    expect(await store.journalEntry(good.id)).toBeNull();
    expect(await store.cursors()).toEqual(before);
  });

  it('a page whose x-sync-next header (cursors, hasMore) differs from its body is SERVER_ERROR; a matching one is read', async () => {
    const e = journalEntry(anna, { text: 'Huvudet stämmer' });
    const body = () => page([upsert('journal_entry', e)], { [home.unitId]: 120 });
    await expect(store.readPullPage(body(), { cursors: { [home.unitId]: 119 }, hasMore: true })).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    await expect(store.readPullPage(body(), { cursors: { [home.unitId]: 120 }, hasMore: false })).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    const read = await store.readPullPage(body(), { cursors: { [home.unitId]: 120 }, hasMore: true });
    await store.applyPulledPage(read.pageId);
    expect(await store.journalEntry(e.id)).toMatchObject({ text: 'Huvudet stämmer' });
  });
});
