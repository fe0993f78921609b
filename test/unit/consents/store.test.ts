/**
 * The consent register at the workstation (main/store/consents-sql.ts) and its contract: a consent
 * is queued with its local row in one transaction and shown at once as not sent; "Annat" needs its
 * text; the rules the server also applies refuse at once in the contract's words (a date in the
 * future, a refusal withdrawn, a second withdrawal, a withdrawal dated before the consent); a
 * withdrawal still queued stays shown when a pull of the consent comes first, and a withdrawal
 * refused for good shows the consent as the server has it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure, CONSENT_MESSAGES, ConsentRecordMutation, consentsApi, consentText, swedishDate, type ConsentRecord, type Mutation } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import { author, client, tempDir, unit, upsert } from '../store/fixtures';

let store: LocalStore;
const tmp = tempDir();
const home = unit('Hemtjänst Norr');
const other = unit('Hemtjänst Söder');
const anna = client(home.unitId, { givenName: 'Anna', familyName: 'Östlund' });
const today = swedishDate();

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: author.hsaId, vault: new DevKeyFileVault(tmp.dir) });
  await store.applyPull({ units: [home, other], changes: [upsert('client', anna)], cursors: { [home.unitId]: 1 } });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

type Rec = Extract<Mutation, { type: 'consent.record' }>;
const recordM = (over: Partial<Rec['record']> = {}): Rec => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'consent.record',
  record: { id: randomUUID(), clientId: anna.id, topic: 'health_care', otherText: null, answer: 'given', form: 'oral', givenOn: today, note: '  Gäller vårdcentralen.  ', ...over },
});
const withdrawM = (id: string, over: Partial<Extract<Mutation, { type: 'consent.withdraw' }>['record']> = {}): Extract<Mutation, { type: 'consent.withdraw' }> => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'consent.withdraw',
  record: { id, withdrawnOn: today, reason: 'Brukaren ångrade sig.', ...over },
});
const rejectsWith = (p: Promise<unknown>, code: string, message?: string) =>
  expect(p).rejects.toSatisfy((e) => e instanceof AppFailure && e.code === code && (message === undefined || e.message === message));

describe('the consent contract', () => {
  it('“Annat” needs its own text, and only “Annat” has one; the answer and the form have no default', () => {
    const m = recordM();
    expect(ConsentRecordMutation.safeParse({ ...m, record: { ...m.record, topic: 'other', otherText: null } }).error?.issues[0]?.message).toBe(CONSENT_MESSAGES.consentOtherText);
    expect(ConsentRecordMutation.safeParse({ ...m, record: { ...m.record, otherText: 'Skolan' } }).error?.issues[0]?.message).toBe(CONSENT_MESSAGES.consentOtherTextOnly);
    expect(ConsentRecordMutation.safeParse({ ...m, record: { ...m.record, topic: 'other', otherText: '   ' } }).success).toBe(false);
    expect(ConsentRecordMutation.safeParse({ ...m, record: { ...m.record, topic: 'other', otherText: 'Skolan' } }).success).toBe(true);
    const { answer: _a, ...noAnswer } = m.record;
    expect(consentsApi.record.input.safeParse(noAnswer).success).toBe(false);
    const { form: _f, ...noForm } = m.record;
    expect(consentsApi.record.input.safeParse(noForm).success).toBe(false);
    expect([consentText('  x '), consentText('   '), consentText(null)]).toEqual(['x', null, null]);
  });
});

describe('a consent on the workstation', () => {
  let given: Rec;

  it('is queued and shown at once, not sent, with its unit from the client and its text trimmed', async () => {
    given = recordM();
    await store.enqueue(given, author);
    expect(await store.outboxCount()).toBe(1);
    const [shown] = await store.read('consent', 'ofClient', anna.id);
    expect(shown).toMatchObject({ id: given.record.id, unitId: home.unitId, note: 'Gäller vårdcentralen.', author, withdrawal: null, pending: true });
    expect(await store.read('consent', 'get', given.record.id)).toEqual(shown);
  });

  it('is refused at once as the server would: a client out of scope, a date in the future, the same id again', async () => {
    await rejectsWith(store.enqueue(recordM({ clientId: randomUUID() }), author), 'FORBIDDEN');
    await rejectsWith(store.enqueue(recordM({ givenOn: swedishDate(new Date(), 3) }), author), 'VALIDATION', CONSENT_MESSAGES.consentFuture);
    await rejectsWith(store.enqueue({ ...recordM(), record: given.record }, author), 'CONFLICT');
    expect(await store.outboxCount()).toBe(1);
  });

  it('a withdrawal is refused for a refusal, before the consent’s date, and a second time', async () => {
    const refused = recordM({ answer: 'refused' });
    await store.enqueue(refused, author);
    await rejectsWith(store.enqueue(withdrawM(refused.record.id), author), 'CONFLICT', CONSENT_MESSAGES.consentNotGiven);
    const old = recordM({ givenOn: '2026-01-10' });
    await store.enqueue(old, author);
    await rejectsWith(store.enqueue(withdrawM(old.record.id, { withdrawnOn: '2026-01-09' }), author), 'VALIDATION', CONSENT_MESSAGES.consentWithdrawBeforeGiven);
    await store.enqueue(withdrawM(old.record.id, { withdrawnOn: '2026-01-10' }), author);
    await rejectsWith(store.enqueue(withdrawM(old.record.id), author), 'CONFLICT', CONSENT_MESSAGES.consentWithdrawnAlready);
    await rejectsWith(store.enqueue(withdrawM(randomUUID()), author), 'NOT_FOUND', CONSENT_MESSAGES.consentMissing);
  });

  it('a queued withdrawal stays shown when the consent is pulled first; refused for good, the consent is shown as the server has it', async () => {
    const w = withdrawM(given.record.id);
    await store.enqueue(w, author);
    // Everything else reached the server; the withdrawal is still queued.
    const queued = await store.outbox(100);
    await store.acknowledge(queued.map((q) => q.mutation.mutationId).filter((id) => id !== w.mutationId));
    const pulled: ConsentRecord = { ...given.record, unitId: home.unitId, note: 'Gäller vårdcentralen.', author, createdAt: new Date().toISOString(), withdrawal: null };
    await store.applyPull({ units: [home, other], changes: [{ seq: 7, op: 'upsert', type: 'consent', id: pulled.id, unitId: home.unitId, record: pulled }], cursors: { [home.unitId]: 7 } });
    expect(await store.read('consent', 'get', pulled.id)).toMatchObject({ withdrawal: { reason: 'Brukaren ångrade sig.', by: author }, pending: true });
    await store.refuse(w.mutationId, { code: 'FORBIDDEN', message: 'Du har inte behörighet till brukaren.' });
    expect(await store.read('consent', 'get', pulled.id)).toEqual({ ...pulled, pending: false });
  });

  it('leaves with its unit: nothing of it is shown once the unit is out of scope', async () => {
    await store.applyPull({ units: [other], changes: [], cursors: {} });
    expect(await store.read('consent', 'ofClient', anna.id)).toEqual([]);
  });
});
