import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment, InboxActResult, InboxDetail, InboxPage } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok, waitSynced } from '../sync/helpers';

/**
 * Unit scope of the inbox through the workstation, enforced by the server: Anna holds a permission
 * for Hemtjänst Majorna only; an assignment of Daglig verksamhet Hisingen is neither in her store
 * nor readable or actionable through inbox.get / inbox.act (the server answers 404 alike).
 */
let stack: Stack;
const reader = new DemoInProcessReader('Testläsare');

beforeAll(async () => {
  stack = await startStack('inbox-scope', { card: cardAccessOver(reader), sync: fastSync, serverSync: { coalesceMs: 20 } });
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' });
  reader.insert(await openCardFile(anna));
  await ok(stack.workstation, 'session.login', { pin: '123456' });
  await waitSynced(stack.workstation);
});
afterAll(async () => stack?.stop());

describe('inbox scope (server-enforced)', () => {
  it('a user of unit A sees only A in the inbox, and cannot read or act on an assignment of unit B', async () => {
    const { rows } = await stack.db.query<{ id: string; unit: string }>(
      `SELECT a.id, u.name AS unit FROM assignments a JOIN units u ON u.id = a.unit_id ORDER BY a.created_at`,
    );
    const other = rows.find((r) => r.unit === 'Daglig verksamhet Hisingen')!;
    const own = rows.find((r) => r.unit === 'Hemtjänst Majorna' && r.id)!;
    await expect.poll(async () => (await ok<InboxPage>(stack.workstation, 'inbox.list', { limit: 500 })).total > 0, { timeout: LIVE_WAIT_MS, interval: 20, message: 'the inbox synced' }).toBe(true);
    const page = await ok<InboxPage>(stack.workstation, 'inbox.list', { limit: 500 });
    expect(page.items.every((i) => i.unitName === 'Hemtjänst Majorna')).toBe(true);
    expect(page.items.map((i) => i.id)).not.toContain(other.id);
    expect(page.total).toBe(rows.filter((r) => r.unit === 'Hemtjänst Majorna').length);

    const read = await stack.workstation.dispatch('inbox.get', { id: other.id });
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error.code).toBe('NOT_FOUND');
      expect(read.error.message).toBe('Uppdraget finns inte, eller så har du inte behörighet till det.');
    }
    const version = async () => (await stack.db.query<{ version: number }>('SELECT version FROM assignments WHERE id = $1', [other.id])).rows[0]!.version;
    const versionBefore = await version();
    const act = await stack.workstation.dispatch('inbox.act', { id: other.id, action: { type: 'confirm' } });
    expect(act.ok).toBe(false);
    if (!act.ok) expect(act.error.code).toBe('NOT_FOUND');
    expect(await version()).toBe(versionBefore);

    // Naming staff in a distribution: only for her own unit.
    const units = await stack.db.query<{ id: string; name: string }>('SELECT id, name FROM units');
    const unitOf = (name: string) => units.rows.find((u) => u.name === name)!.id;
    const staff = await ok<{ name: string }[]>(stack.workstation, 'inbox.staff', { unitId: unitOf('Hemtjänst Majorna') });
    expect(staff.map((p) => p.name)).toContain('Anna Lindqvist');
    const foreign = await stack.workstation.dispatch('inbox.staff', { unitId: unitOf('Daglig verksamhet Hisingen') });
    expect(foreign.ok ? 'ok' : foreign.error.code).toBe('FORBIDDEN');

    // Her own unit's assignment opens, and the open is a read in the server's access log.
    const mine = await ok<InboxDetail>(stack.workstation, 'inbox.get', { id: own.id });
    expect(mine.offline).toBe(false);
    expect(mine.assignment.history.length).toBeGreaterThan(0);
    const { rows: log } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_log WHERE action = 'read' AND record_type = 'assignment' AND record_id = $1`,
      [own.id],
    );
    expect(log[0]!.n).toBe(1);
  });

  it('offline: the stored copy opens with offline: true; an action is "outcome unknown", and its requestId, sent again when the server is back, applies it once', async () => {
    const page = await ok<InboxPage>(stack.workstation, 'inbox.list', { status: ['new'], limit: 1 });
    const id = page.items[0]!.id;
    let requestId = '';
    await stack.server.stop();
    try {
      const detail = await ok<InboxDetail>(stack.workstation, 'inbox.get', { id });
      expect(detail.offline).toBe(true);
      expect(detail.assignment.id).toBe(id);
      // Not "failed": the workstation cannot know whether it arrived.
      const act = await ok<InboxActResult>(stack.workstation, 'inbox.act', { id, action: { type: 'confirm' } });
      expect(act.outcome).toBe('unknown');
      if (act.outcome === 'unknown') requestId = act.requestId;
    } finally {
      await stack.server.start();
    }
    const again = await ok<InboxActResult>(stack.workstation, 'inbox.act', { id, action: { type: 'confirm', requestId } });
    expect(again.outcome === 'applied' && again.assignment.status).toBe('confirmed');
    const once = await ok<InboxActResult>(stack.workstation, 'inbox.act', { id, action: { type: 'confirm', requestId } });
    expect(once.outcome === 'applied' && once.assignment.version).toBe(again.outcome === 'applied' && again.assignment.version);
    const { rows } = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM assignment_events WHERE assignment_id = $1 AND action = 'confirm'`, [id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('inbox.stored reads the synced copy only: no server read, so no access-log row', async () => {
    const page = await ok<InboxPage>(stack.workstation, 'inbox.list', { limit: 1 });
    const id = page.items[0]!.id;
    const count = async () =>
      (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_log WHERE record_id = $1`, [id])).rows[0]!.n;
    const before = await count();
    const stored = await ok<Assignment | null>(stack.workstation, 'inbox.stored', { id });
    expect(stored?.id).toBe(id);
    expect(await count()).toBe(before);
  });
});
