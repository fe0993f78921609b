import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxQuery } from '#contract';
import { formatPersonnummer } from '#contract';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import { assignmentUpsert, fakeAssignment } from '../../support/assignments';
import { tempDir, unit } from '../store/fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function store(): SqlStore {
  const t = tempDir();
  const s = new SqlStore(openDatabase(path.join(t.dir, 'inbox.db'), null));
  cleanups.push(() => {
    s.close();
    t.cleanup();
  });
  return s;
}

const q = (input: Parameters<typeof InboxQuery.parse>[0]) => InboxQuery.parse(input);

describe('the assignment inbox in the local store', () => {
  it('lists from pulled assignments: counts per status, needs-action count, filters, sorting, paging; get with history', () => {
    const s = store();
    const a = unit('Hemtjänst Majorna');
    const b = unit('Daglig verksamhet Hisingen');
    const list = [...Array.from({ length: 70 }, (_, i) => fakeAssignment(a, i)), ...Array.from({ length: 14 }, (_, i) => fakeAssignment(b, i))];
    s.applyPull({ units: [a, b], changes: list.map(assignmentUpsert), cursors: { [a.unitId]: 5, [b.unitId]: 6 } });

    const all = s.inboxList(q({}));
    expect(all.total).toBe(84);
    expect(all.items).toHaveLength(84);
    expect(all.counts.new).toBe(12); // 10 of A, 2 of B
    expect(all.needsAction).toBe(all.counts.new + all.counts.cancellation_requested);
    expect(all.items.map((i) => i.updatedAt)).toEqual([...all.items.map((i) => i.updatedAt)].sort().reverse());

    const ofA = s.inboxList(q({ unitId: a.unitId, status: ['new', 'confirmed'], limit: 5, offset: 5 }));
    expect(ofA.total).toBe(20);
    expect(ofA.items).toHaveLength(5);
    expect(ofA.items.every((i) => i.unitId === a.unitId && ['new', 'confirmed'].includes(i.status))).toBe(true);
    expect(ofA.counts.executed).toBe(10); // counts ignore the status filter

    const byName = s.inboxList(q({ client: 'öberg' }));
    expect(byName.total).toBeGreaterThan(0);
    expect(byName.items.every((i) => i.clientName.endsWith('Öberg'))).toBe(true);
    const target = list[3]!;
    const byPnr = s.inboxList(q({ client: formatPersonnummer(target.client.personnummer) }));
    expect(byPnr.items.map((i) => i.id)).toContain(target.id);
    const ofClient = s.inboxList(q({ clientId: target.client.id }));
    expect(ofClient.items.map((i) => i.id)).toContain(target.id);
    expect(ofClient.items.every((i) => i.clientId === target.client.id)).toBe(true);

    const window = s.inboxList(q({ from: '2025-01-10', to: '2025-01-20', sort: 'start_asc' }));
    expect(window.items.every((i) => i.startDate >= '2025-01-10' && i.startDate <= '2025-01-20')).toBe(true);
    expect(window.items.map((i) => i.startDate)).toEqual([...window.items.map((i) => i.startDate)].sort());

    const byClient = s.inboxList(q({ sort: 'client_asc', limit: 500 }));
    const families = byClient.items.map((i) => i.clientName.split(' ')[1]!);
    expect(families.indexOf('Öberg')).toBeGreaterThan(families.lastIndexOf('Lind'));
    expect(families.indexOf('Ängström')).toBeGreaterThan(families.lastIndexOf('Lind'));

    const one = s.inboxAssignment(target.id);
    expect(one?.history[0]?.action).toBe('send');
    expect(one?.client.personnummer).toBe(target.client.personnummer);
  });

  it('moves with a distribution (delete in one unit, upsert in the other) and is purged with its unit', () => {
    const s = store();
    const a = unit('A');
    const b = unit('B');
    const x = fakeAssignment(a, 0);
    s.applyPull({ units: [a, b], changes: [assignmentUpsert(x)], cursors: {} });
    s.applyPull({
      units: [a, b],
      changes: [{ seq: 1, op: 'delete', type: 'assignment', id: x.id, unitId: a.unitId }, assignmentUpsert({ ...x, unitId: b.unitId, unitName: 'B', version: 3 })],
      cursors: {},
    });
    expect(s.inboxList(q({ unitId: b.unitId })).items.map((i) => i.id)).toEqual([x.id]);
    expect(s.inboxList(q({ unitId: a.unitId })).total).toBe(0);
    s.applyPull({ units: [a], changes: [], cursors: {} });
    expect(s.inboxList(q({})).total).toBe(0);
    expect(s.inboxAssignment(x.id)).toBeNull();
    expect(s.db.prepare('SELECT count(*) AS n FROM assignments').get()).toEqual({ n: 0 });
  });
});
