import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSENT_MESSAGES, swedishDate, type ClientRecord, type LocalConsent } from '#contract';
import { createWorkstation } from '../../../main/app';
import { cardAccessOver } from '../../../main/session/card-access';
import type { Workstation } from '../../../main/workstation';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';

/**
 * The consent register (docs/consents.md) on two workstations against the real server on
 * PostgreSQL: Sara records a consent on hers (pending until pushed, once however often it is
 * sent), Anna's workstation of the same unit gets it by the sync and withdraws it, and Sara's
 * shows the withdrawal with the consent as recorded; a second withdrawal and bad input are refused
 * in Swedish and queue nothing; every read and write is in the access log; the database refuses
 * changing or deleting a consent; a client of a unit Anna has no permission for is not hers.
 */
let stack: Stack;
const readers = { a: new DemoInProcessReader('Läsare A'), b: new DemoInProcessReader('Läsare B') };
const ws = {} as Record<'a' | 'b', Workstation>;
let sara: string;
let anna: string;
let majorna: ClientRecord;
let hisingen: ClientRecord;

async function call<T>(w: 'a' | 'b', method: string, input: unknown = {}): Promise<T> {
  const r = await ws[w].dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
const login = async (w: 'a' | 'b', card: string) => {
  readers[w].insert(await openCardFile(card));
  await call(w, 'session.login', { pin: '123456' });
  await vi.waitFor(async () => expect((await call<ClientRecord[]>(w, 'clients.list', { limit: 500 })).length, JSON.stringify(await ws[w].dispatch('sync.status', {}))).toBeGreaterThan(0), { timeout: LIVE_WAIT_MS, interval: 50 });
};
const consents = (w: 'a' | 'b', clientId: string) => call<LocalConsent[]>(w, 'consents.list', { clientId });
const input = (o: Record<string, unknown> = {}) => ({ clientId: majorna.id, topic: 'relatives_information', otherText: null, answer: 'given', form: 'written', givenOn: swedishDate(), note: 'Gäller sonen Erik.', ...o });
const pending = async (w: 'a' | 'b') => (await call<{ pending: number }>(w, 'sync.status')).pending;

beforeAll(async () => {
  stack = await startStack('consents');
  sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '123456' });
  const open = (w: 'a' | 'b') =>
    createWorkstation({ host: 'browser', serverUrl: stack.serverUrl, dataDir: mkdtempSync(path.join(tmpdir(), `ws-consents-${w}-`)), card: cardAccessOver(readers[w]), workstationName: `consents-${w}`, sync: { events: false, safetyPullMs: 600_000 } });
  ws.a = await open('a');
  ws.b = await open('b');
  await login('a', sara);
  await login('b', anna);
  const units = await call<{ id: string; name: string }[]>('a', 'units.list');
  const majornaId = units.find((u) => u.name === 'Hemtjänst Majorna')!.id;
  const clients = await call<ClientRecord[]>('a', 'clients.list', { limit: 500 });
  majorna = clients.find((c) => c.unitId === majornaId)!;
  hisingen = clients.find((c) => c.unitId !== majornaId)!;
}, 90_000);
afterAll(async () => {
  await ws.a?.close();
  await ws.b?.close();
  await stack?.stop();
});

describe('the consent register', () => {
  let consentId: string;

  it('a consent recorded on one workstation is pending, pushed once however often it is sent, and reaches the unit’s other workstation', async () => {
    const requestId = randomUUID();
    const [first, again] = await Promise.all([call<LocalConsent>('a', 'consents.record', { ...input(), requestId }), call<LocalConsent>('a', 'consents.record', { ...input(), requestId })]);
    const third = await call<LocalConsent>('a', 'consents.record', { ...input(), requestId });
    consentId = first.id;
    expect([again.id, third.id]).toEqual([requestId, requestId]);
    expect(first).toMatchObject({ id: requestId, clientId: majorna.id, unitId: majorna.unitId, answer: 'given', form: 'written', withdrawal: null, pending: true });
    await call('a', 'sync.now');
    await call('a', 'sync.now');
    await expect.poll(async () => (await consents('a', majorna.id)).find((c) => c.id === consentId)?.pending, { timeout: LIVE_WAIT_MS, interval: 100 }).toBe(false);
    const { rows } = await stack.db.query<{ n: string; author_hsa_id: string; note: string }>('SELECT count(*) OVER () AS n, author_hsa_id, note FROM consents WHERE id = $1', [consentId]);
    expect(rows).toEqual([{ n: '1', author_hsa_id: 'SE2321000131-P000000000103', note: 'Gäller sonen Erik.' }]);

    await call('b', 'sync.now');
    await expect.poll(async () => (await consents('b', majorna.id)).map((c) => c.id), { timeout: LIVE_WAIT_MS, interval: 100 }).toContain(consentId);
    const seen = (await consents('b', majorna.id)).find((c) => c.id === consentId)!;
    expect(seen).toMatchObject({ topic: 'relatives_information', answer: 'given', note: 'Gäller sonen Erik.', author: { name: 'Sara Nyström' }, pending: false });
  });

  it('a consent withdrawn on the other workstation keeps its history: the consent as recorded and the withdrawal, on both', async () => {
    const withdrawn = await call<LocalConsent>('b', 'consents.withdraw', { id: consentId, withdrawnOn: swedishDate(), reason: 'Brukaren vill inte längre.' });
    expect(withdrawn.withdrawal).toMatchObject({ withdrawnOn: swedishDate(), reason: 'Brukaren vill inte längre.', by: { name: 'Anna Lindqvist' } });
    expect(withdrawn.pending).toBe(true);
    await call('b', 'sync.now');
    await call('a', 'sync.now');
    await expect.poll(async () => (await consents('a', majorna.id)).find((c) => c.id === consentId)?.withdrawal?.reason, { timeout: LIVE_WAIT_MS, interval: 100 }).toBe('Brukaren vill inte längre.');
    const onA = (await consents('a', majorna.id)).find((c) => c.id === consentId)!;
    expect(onA).toMatchObject({ answer: 'given', note: 'Gäller sonen Erik.', author: { name: 'Sara Nyström' }, withdrawal: { by: { name: 'Anna Lindqvist' } }, pending: false });
  });

  it('a second withdrawal is refused at once in the rule’s words, and queues nothing', async () => {
    const before = await consents('a', majorna.id);
    const r = await ws.a.dispatch('consents.withdraw', { id: consentId, withdrawnOn: swedishDate(), reason: 'Igen.' });
    expect(r.ok ? null : { code: r.error.code, message: r.error.message, origin: r.error.origin }).toEqual({ code: 'CONFLICT', message: CONSENT_MESSAGES.consentWithdrawnAlready, origin: 'rule' });
    expect(await consents('a', majorna.id)).toEqual(before);
    expect(await pending('a')).toBe(0);
  });

  it('bad input is refused with a Swedish message and queues nothing: “Annat” without its text, no answer, a date in the future, a refusal withdrawn', async () => {
    const before = (await consents('a', majorna.id)).length;
    const other = await ws.a.dispatch('consents.record', input({ topic: 'other', otherText: null }));
    expect(other.ok ? null : other.error.code).toBe('VALIDATION');
    expect(JSON.stringify(other.ok ? null : other.error.details)).toContain(CONSENT_MESSAGES.consentOtherText);
    const noAnswer = await ws.a.dispatch('consents.record', input({ answer: undefined }));
    expect(noAnswer.ok ? null : noAnswer.error.code).toBe('VALIDATION');
    const future = await ws.a.dispatch('consents.record', input({ givenOn: swedishDate(new Date(), 5) }));
    expect(future.ok ? null : { code: future.error.code, message: future.error.message }).toEqual({ code: 'VALIDATION', message: CONSENT_MESSAGES.consentFuture });
    const refused = await call<LocalConsent>('a', 'consents.record', input({ answer: 'refused', topic: 'health_care', note: null }));
    const withdrawRefused = await ws.a.dispatch('consents.withdraw', { id: refused.id, withdrawnOn: swedishDate(), reason: 'Ångrat.' });
    expect(withdrawRefused.ok ? null : withdrawRefused.error.message).toBe(CONSENT_MESSAGES.consentNotGiven);
    // Only the refused consent itself was written; it reaches the server.
    expect((await consents('a', majorna.id)).length).toBe(before + 1);
    await call('a', 'sync.now');
    await expect.poll(() => pending('a'), { timeout: LIVE_WAIT_MS, interval: 100 }).toBe(0);
    expect((await stack.db.query('SELECT 1 FROM consents WHERE client_id = $1', [majorna.id])).rows.length).toBe(before + 1);
  });

  it('a client of a unit the user has no permission for is not hers to read or record for', async () => {
    const read = await ws.b.dispatch('consents.list', { clientId: hisingen.id });
    expect(read.ok ? null : read.error.code).toBe('NOT_FOUND');
    const write = await ws.b.dispatch('consents.record', input({ clientId: hisingen.id }));
    expect(write.ok ? null : write.error.code).toBe('FORBIDDEN');
  });

  it('every read and every write is in the access log: the register opened on each workstation, each recording and withdrawal', async () => {
    await call('a', 'sync.now');
    await call('b', 'sync.now');
    await expect
      .poll(async () => {
        const { rows } = await stack.db.query<{ action: string; record_type: string; actor_hsa_id: string }>(
          `SELECT action, record_type, actor_hsa_id FROM access_log WHERE client_id = $1 AND record_type IN ('consent', 'consents') ORDER BY id`,
          [majorna.id],
        );
        return {
          readsBySara: rows.some((r) => r.action === 'read' && r.record_type === 'consents' && r.actor_hsa_id.endsWith('103')),
          readsByAnna: rows.some((r) => r.action === 'read' && r.record_type === 'consents' && r.actor_hsa_id.endsWith('101')),
          changesBySara: rows.filter((r) => r.action === 'change' && r.record_type === 'consent' && r.actor_hsa_id.endsWith('103')).length,
          changesByAnna: rows.filter((r) => r.action === 'change' && r.record_type === 'consent' && r.actor_hsa_id.endsWith('101')).length,
        };
      }, { timeout: 15_000, interval: 200 })
      .toEqual({ readsBySara: true, readsByAnna: true, changesBySara: 2, changesByAnna: 1 });
  });

  it('the database refuses changing a consent or deleting it, for any role', async () => {
    await expect(stack.db.query('UPDATE consents SET note = $2 WHERE id = $1', [consentId, 'Ändrad'])).rejects.toThrow(/never changed/);
    await expect(stack.db.query('DELETE FROM consents WHERE id = $1', [consentId])).rejects.toThrow(/never deleted/);
  });

  it('the same withdrawal again, and twice at once, by the same person is one withdrawal and no error', async () => {
    const before = await pending('b');
    const again = await call<LocalConsent>('b', 'consents.withdraw', { id: consentId, withdrawnOn: swedishDate(), reason: 'Brukaren vill inte längre.' });
    expect(again.withdrawal).toMatchObject({ reason: 'Brukaren vill inte längre.', by: { name: 'Anna Lindqvist' } });
    expect(await pending('b')).toBe(before);
    const fresh = await call<LocalConsent>('b', 'consents.record', input({ note: 'Dubbelklick.' }));
    const w = { id: fresh.id, withdrawnOn: swedishDate(), reason: 'Ångrade sig.' };
    const [one, two] = await Promise.all([call<LocalConsent>('b', 'consents.withdraw', w), call<LocalConsent>('b', 'consents.withdraw', w)]);
    expect(two.withdrawal).toEqual(one.withdrawal);
    await call('b', 'sync.now');
    await expect.poll(() => pending('b'), { timeout: LIVE_WAIT_MS, interval: 100 }).toBe(0);
    expect((await call<{ refusals: unknown[] }>('b', 'sync.status')).refusals).toEqual([]);
    expect((await consents('b', majorna.id)).find((c) => c.id === fresh.id)).toMatchObject({ withdrawal: { reason: 'Ångrade sig.' }, pending: false });
  });
});
