import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Author, Change, LocalThreadSummary, MessageRecord, MessageThreadRecord } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import { author, client, tempDir, unit, upsert } from '../store/fixtures';

/** The thread list's summary (issue 32, point 8): who it is with, the client by name, and a preview of the newest message. */
let store: LocalStore;
const tmp = tempDir();
const home = unit('Hemtjänst Norr');
const tolvan = client(home.unitId);
const maria = { staffId: randomUUID(), hsaId: 'SE2120001355-P000000000201', name: 'Maria Ek', title: 'Biståndshandläggare' };
const thread: MessageThreadRecord = {
  id: randomUUID(),
  unitId: home.unitId,
  subject: 'Nyckeln',
  clientId: tolvan.id,
  assignmentId: null,
  toUnit: true,
  participants: [{ staffId: maria.staffId, name: maria.name, title: maria.title }],
  author: maria,
  createdAt: '2026-12-01T08:00:00.000Z',
};
const message = (text: string, at: string, by: Author = maria): MessageRecord => ({ id: randomUUID(), threadId: thread.id, unitId: home.unitId, text, author: by, createdAt: at, reads: [], attachment: null });
const change = (type: 'message_thread' | 'message', record: MessageThreadRecord | MessageRecord, seq: number): Change => ({ seq, op: 'upsert', type, id: record.id, unitId: home.unitId, record }) as Change;

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: author.hsaId, vault: new DevKeyFileVault(tmp.dir) });
  const long = `Nyckeln ligger i nyckelgömman vid dörren. ${'Mer text. '.repeat(30)}`;
  await store.applyPull({
    units: [home],
    changes: [upsert('client', tolvan), change('message_thread', thread, 100), change('message', message('Var finns nyckeln?', '2026-12-01T08:00:00.000Z', author), 101), change('message', message(long, '2026-12-01T09:00:00.000Z'), 102)],
    cursors: { [home.unitId]: 102 },
  });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('thread summaries', () => {
  it('carry the client by name and the newest message’s author and first 140 characters', async () => {
    const [summary] = (await store.read('message', 'threads', { me: author.staffId, limit: 10 })) as LocalThreadSummary[];
    expect(summary).toMatchObject({ id: thread.id, clientName: 'Tolvan Tolvansson', messageCount: 2, unread: 1 });
    expect(summary!.lastMessage!.authorName).toBe('Maria Ek');
    expect(summary!.lastMessage!.text.startsWith('Nyckeln ligger i nyckelgömman vid dörren.')).toBe(true);
    expect(summary!.lastMessage!.text.length).toBe(140);
  });
});
