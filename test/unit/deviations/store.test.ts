/**
 * A deviation report at the workstation (main/store/deviations-sql.ts): queued with the local row in
 * one transaction, shown at once among "Mina rapporter" as not sent; checked as the server would
 * (the client in the unit, the assignment of the client); refused for good, it goes from the list
 * (its text kept in the refusals); pulled back from the server, it shows the handling's status.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure, type DeviationRecord, type Mutation } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import { author, client, tempDir, unit, upsert } from '../store/fixtures';

let store: LocalStore;
const tmp = tempDir();
const home = unit('Hemtjänst Norr');
const other = unit('Hemtjänst Söder');
const anna = client(home.unitId, { givenName: 'Anna', familyName: 'Östlund' });

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: author.hsaId, vault: new DevKeyFileVault(tmp.dir) });
  await store.applyPull({ units: [home, other], changes: [upsert('client', anna)], cursors: { [home.unitId]: 1 } });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

const report = (over: Partial<Extract<Mutation, { type: 'deviation.report' }>['record']> = {}): Extract<Mutation, { type: 'deviation.report' }> => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'deviation.report',
  record: {
    id: randomUUID(), unitId: home.unitId, clientId: anna.id, assignmentId: null, occurredAt: new Date().toISOString(), place: ' Hallen ',
    category: 'fall', description: 'Brukaren föll i hallen.', consequence: '', immediateAction: 'Hjälpte upp.', lexSarah: 'no', ...over,
  },
});

describe('a deviation report on the workstation', () => {
  it('is queued and shown at once, not sent, as the reporter’s own', async () => {
    const m = report();
    await store.enqueue(m, author);
    expect(await store.outboxCount()).toBe(1);
    const [mine] = await store.read('deviation', 'mine', 10);
    expect(mine).toMatchObject({ id: m.record.id, pending: true, status: 'reported', place: 'Hallen', reportedBy: author });
  });

  it('is checked as the server would: the client in the unit, an assignment it has', async () => {
    await expect(store.enqueue(report({ unitId: other.unitId }), author)).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'VALIDATION');
    await expect(store.enqueue(report({ assignmentId: randomUUID() }), author)).rejects.toSatisfy((e) => e instanceof AppFailure && /Uppdraget finns inte/.test(e.message));
    await expect(store.enqueue(report({ unitId: randomUUID(), clientId: null }), author)).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'FORBIDDEN');
    expect(await store.outboxCount()).toBe(1);
  });

  it('in the future (beyond the clock’s ten minutes) is refused at once in Swedish, not queued for the server to refuse later', async () => {
    const writtenAt = new Date('2026-12-07T14:00:00Z');
    const at = (minutes: number) => ({ ...report({ occurredAt: new Date(writtenAt.getTime() + minutes * 60_000).toISOString() }), createdAt: writtenAt.toISOString() });
    await expect(store.enqueue(at(11), author)).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === 'VALIDATION' && e.message === 'Händelsen kan inte ha inträffat i framtiden.');
    expect(await store.outboxCount()).toBe(1);
    const ahead = at(9);
    await store.enqueue(ahead, author);
    expect(await store.outboxCount()).toBe(2);
    expect((await store.read('deviation', 'mine', 10)).map((d) => d.id)).toContain(ahead.record.id);
  });

  it('refused for good, goes from the list; its text stays in the refusals', async () => {
    const m = report({ description: 'Ska nekas.' });
    await store.enqueue(m, author);
    await store.refuse(m.mutationId, { code: 'FORBIDDEN', message: 'Du har inte behörighet till brukaren.' });
    expect((await store.read('deviation', 'mine', 10)).map((d) => d.id)).not.toContain(m.record.id);
    expect((await store.refusals()).map((r) => r.mutationId)).toContain(m.mutationId);
  });

  it('pulled back from the server, shows the status of its handling', async () => {
    const [queued] = await store.outbox(10);
    const m = queued!.mutation as Extract<Mutation, { type: 'deviation.report' }>;
    await store.acknowledge([m.mutationId]);
    const record: DeviationRecord = { ...m.record, place: 'Hallen', reportedBy: author, reportedAt: new Date().toISOString(), status: 'received', decision: null, closedAt: null };
    await store.applyPull({ units: [home, other], changes: [{ seq: 5, op: 'upsert', type: 'deviation', id: record.id, unitId: home.unitId, record }], cursors: { [home.unitId]: 5 } });
    expect(await store.read('deviation', 'get', record.id)).toMatchObject({ status: 'received', pending: false });
    expect(await store.read('deviation', 'get', record.id)).toEqual({ ...record, pending: false });
  });
});
