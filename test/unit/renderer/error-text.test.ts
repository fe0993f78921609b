import { describe, expect, it } from 'vitest';
import { AppFailure, because, PLAN_MESSAGES } from '#contract';
import { errorText } from '../../../renderer/src/components/error-text';
import { i18next } from '../../../renderer/src/i18n';

const t = i18next.t.bind(i18next);

/** errorText is the one place an error becomes Swedish words (docs/adding-a-feature.md, "Errors"). */
describe('errorText', () => {
  it("a reason main gave is shown in its words, wherever the error is shown; main's message never", () => {
    const e = new AppFailure('NOT_FOUND', 'plan not in the user\'s units', because('PLAN_NOT_IN_UNITS')).toError();
    expect(errorText(t, e)).toBe('Genomförandeplanen finns inte bland dina enheter');
    expect(errorText(t, e, { serverMessage: true })).toBe('Genomförandeplanen finns inte bland dina enheter');
    const plain = new AppFailure('CONFLICT', 'a login is already in progress').toError();
    expect(errorText(t, plain, { serverMessage: true })).toBe(t('errors.CONFLICT'));
  });

  it("the server's refusal reason (origin 'server') and a shared rule's words (origin 'rule') are shown as they are where asked", () => {
    const server = AppFailure.fromServer('VALIDATION', 'Personnummer nr 1 finns inte bland dina brukare.').toError();
    expect(server.origin).toBe('server');
    expect(errorText(t, server, { serverMessage: true })).toBe('Personnummer nr 1 finns inte bland dina brukare.');
    expect(errorText(t, server)).toBe(t('errors.VALIDATION'));
    const rule = AppFailure.rule('CONFLICT', PLAN_MESSAGES.staleDraft).toError();
    expect(errorText(t, rule, { serverMessage: true })).toBe(PLAN_MESSAGES.staleDraft);
  });

  it('a validation error names the field; too many attempts say how long to wait; a certificate refused for its policy says which lacked what', () => {
    const invalid = new AppFailure('VALIDATION', 'invalid input to plans.save', { issues: [{ path: 'input.personnummer', message: 'Kontrollsiffran stämmer inte' }] }).toError();
    expect(errorText(t, invalid)).toBe('Uppgifterna är inte giltiga. Brukarens personnummer: Kontrollsiffran stämmer inte');
    expect(errorText(t, new AppFailure('RATE_LIMITED', 'too many attempts', { retryAfterS: 7 }).toError())).toBe('För många försök — försök igen om 7 s.');
    expect(errorText(t, AppFailure.fromServer('CERT_WRONG_POLICY', 'x', { reason: 'CA_PATH_POLICY' }).toError())).toBe(t('certPolicy.CA_PATH_POLICY'));
  });

  it('the origin survives the trip through a worker thread', async () => {
    const { reviveError, serializeError } = await import('../../../main/worker-errors');
    const back = reviveError(structuredClone(serializeError(AppFailure.fromServer('FORBIDDEN', 'Enheten är inte din.'))), 'pull');
    expect(back.toError()).toEqual({ code: 'FORBIDDEN', message: 'Enheten är inte din.', origin: 'server' });
  });
});
