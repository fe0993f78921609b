/**
 * A kind's own reads through the store worker (LocalStore.read): a new kind reads its part's public
 * methods without a method of its own on LocalStore, and nothing but reads is reachable that way;
 * its local writes that are no mutation (a message draft) go through LocalStore.write only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import { client, dayNote, tempDir, unit, upsert } from './fixtures';

let store: LocalStore;
const tmp = tempDir();
const home = unit('Hemtjänst Norr');
const anna = client(home.unitId, { givenName: 'Anna', familyName: 'Östlund' });
const note = dayNote(home.unitId, { text: 'Nyckeln ligger i kontoret' });

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: 'SE2321000131-P000000000103', vault: new DevKeyFileVault(tmp.dir) });
  await store.applyPull({ units: [home], changes: [upsert('client', anna), upsert('day_note', note)], cursors: { [home.unitId]: 2 } });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('LocalStore.read', () => {
  it('answers as the kind’s part does, in the worker', async () => {
    expect(await store.read('client', 'list', { limit: 10 })).toEqual(await store.clients({ limit: 10 }));
    expect(await store.read('client', 'get', anna.id)).toEqual(anna);
    expect((await store.read('day_note', 'search', { query: 'kontoret', limit: 5 })).map((n) => n.id)).toEqual([note.id]);
  });

  it('refuses the generic writes every part has, and names that are no method', async () => {
    for (const method of ['purgeUnit', 'delete', 'upsert', 'nothing']) {
      await expect(store.read('client', method as 'list', { limit: 1 })).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'INTERNAL');
    }
    expect(await store.client(anna.id)).toEqual(anna);
  });
});

describe('LocalStore.write', () => {
  it('runs a part’s local writes (its `localWrites`), which read() refuses, and refuses its reads', async () => {
    const draft = { key: `new:${anna.id}`, unitId: home.unitId, subject: 'Nyckeln', text: 'Var ligger den?', savedAt: '2026-06-01T10:00:00.000Z' };
    await expect(store.read('message', 'saveDraft' as 'draft', draft)).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'INTERNAL');
    expect(await store.read('message', 'draft', { key: draft.key })).toBeNull();
    await store.write('message', 'saveDraft', draft);
    expect(await store.read('message', 'draft', { key: draft.key })).toMatchObject({ key: draft.key, text: draft.text });
    await expect(store.write('message', 'draft' as 'deleteDraft', { key: draft.key })).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'INTERNAL');
    expect(await store.write('message', 'deleteDraft', { key: draft.key })).toBe(true);
    expect(await store.read('message', 'draft', { key: draft.key })).toBeNull();
  });
});
