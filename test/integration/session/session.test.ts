import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { writeCardFile } from '../../../tools/card';
import { generateTestPki, issuePersonCard } from '../../../tools/pki';
import { startStack, type Stack } from '../../support/stack';

/**
 * The workstation's session against the real server on PostgreSQL, with the software card in the
 * in-process reader (the PC/SC path is covered by test/integration/card and test/e2e/login).
 */
let stack: Stack;
const reader = new DemoInProcessReader('Testläsare');
const seen: { name: EventName; payload: unknown }[] = [];
let sara: string;
let anna: string;

beforeAll(async () => {
  stack = await startStack('session', { card: cardAccessOver(reader), idleTimeoutMs: 400 });
  stack.workstation.onEvent((name, payload) => seen.push({ name, payload }));
  sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' });
  anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec' });
});
afterAll(async () => stack?.stop());

const call = (method: string, input: unknown = {}) => stack.workstation.dispatch(method, input);
describe('the workstation session', () => {
  it('refuses data before login', async () => {
    const r = await call('units.list');
    expect(r.ok === false && r.error.code).toBe('UNAUTHENTICATED');
  });

  it('says NO_CARD when the reader is empty', async () => {
    const r = await call('session.login', { pin: '123456' });
    expect(r.ok === false && r.error.code).toBe('NO_CARD');
  });

  it('refuses a malformed PIN before it reaches the card', async () => {
    reader.insert(await openCardFile(sara));
    const r = await call('session.login', { pin: '12' });
    expect(r.ok === false && r.error.code).toBe('VALIDATION');
  });

  it('logs in with an RSA card and reads only the permitted units', async () => {
    const r = await call('session.login', { pin: '123456' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ state: 'active', user: { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara' } });
    const units = await call('units.list');
    expect(units.ok && (units.value as unknown[]).length).toBe(2);
  });

  it('locks on card removal: token gone, data refused with SESSION_LOCKED, user remembered', async () => {
    seen.length = 0;
    reader.remove();
    const status = await call('session.status');
    expect(status.ok && status.value).toMatchObject({ state: 'locked', lockedReason: 'card_removed', user: { givenName: 'Sara' }, units: [] });
    const r = await call('units.list');
    expect(r.ok === false && r.error.code).toBe('SESSION_LOCKED');
    expect(seen.map((e) => e.name)).toContain('session.locked');
  });

  it('a different card logs the previous user out fully (ECC card)', async () => {
    reader.insert(await openCardFile(anna));
    const r = await call('session.login', { pin: '123456' });
    expect(r.ok && r.value).toMatchObject({ state: 'active', user: { givenName: 'Anna' } });
    const units = await call('units.list');
    expect(units.ok && (units.value as { name: string }[]).map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
  });

  it('locks after the idle timeout, and activity postpones it', async () => {
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await call('session.activity');
    }
    expect((await call('session.status')).ok && ((await call('session.status')) as { value: { state: string } }).value.state).toBe('active');
    await expect.poll(() => seen.some((e) => e.name === 'session.locked' && (e.payload as { reason: string }).reason === 'idle'), { timeout: 3000, interval: 10 }).toBe(true);
    const status = await call('session.status');
    expect(status.ok && status.value).toMatchObject({ state: 'locked', lockedReason: 'idle' });
  });

  it('surfaces the server refusing a card from an untrusted CA', async () => {
    const other = await generateTestPki();
    const file = await writeCardFile(
      path.join(mkdtempSync(path.join(tmpdir(), 'untrusted-')), 'card.json'),
      await issuePersonCard(other, { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' }),
    );
    reader.insert(await openCardFile(file));
    const r = await call('session.login', { pin: '123456' });
    expect(r.ok === false && r.error.code).toBe('CERT_UNTRUSTED');
  });

  it('surfaces the server refusing an expired certificate', async () => {
    const expired = await stack.issueCard({
      hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström',
      notBefore: new Date(Date.now() - 3 * 365 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
    });
    reader.insert(await openCardFile(expired));
    const r = await call('session.login', { pin: '123456' });
    expect(r.ok === false && r.error.code).toBe('CERT_EXPIRED');
  });

  it('shows tries left after wrong PINs and explains a blocked card', async () => {
    reader.insert(await openCardFile(await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' })));
    for (const left of [2, 1]) {
      const r = await call('session.login', { pin: '000000' });
      expect(r.ok === false && r.error).toMatchObject({ code: 'PIN_WRONG', details: { triesLeft: left } });
      const card = await call('card.status');
      expect(card.ok && card.value).toMatchObject({ pin: { triesLeft: left, blocked: false } });
    }
    const last = await call('session.login', { pin: '000000' });
    expect(last.ok === false && last.error.code).toBe('PIN_BLOCKED');
    expect(last.ok === false && last.error.message).toContain('PUK');
    const blocked = await call('session.login', { pin: '123456' });
    expect(blocked.ok === false && blocked.error.code).toBe('PIN_BLOCKED');
    const card = await call('card.status');
    expect(card.ok && card.value).toMatchObject({ pin: { blocked: true } });
  });

  it('logout forgets the user', async () => {
    reader.insert(await openCardFile(anna));
    await call('session.login', { pin: '123456' });
    const r = await call('session.logout');
    expect(r.ok && r.value).toMatchObject({ state: 'logged_out', user: null });
  });
});
