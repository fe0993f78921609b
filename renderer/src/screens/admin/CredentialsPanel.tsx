import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, CredentialsResponse, Result } from '#contract';
import { enrolYubikey, loadCredentials, revokeYubikey, saveLoginMethods, setPassword as savePassword, unlockPerson } from './admin-actions';
import { AdminError, Done } from './admin-notices';

const text = (form: HTMLFormElement, name: string) => (new FormData(form).get(name) as string | null)?.trim() ?? '';

/**
 * "Inloggning utan kort" (issue 29, docs/login-password.md): which card-less methods the
 * organisation allows, each person's username, password and SMS number (set or reset, which also
 * unlocks), unlocking, and YubiKeys — enrolled once per request, revoked only after a confirmation.
 */
export function CredentialsPanel() {
  const { t } = useTranslation();
  const [data, setData] = useState<CredentialsResponse | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const apply = useCallback(([c, p]: Awaited<ReturnType<typeof loadCredentials>>) => {
    if (c.ok) setData(c.value);
    else setError(c.error);
    if (p.ok) setNames(Object.fromEntries(p.value.people.map((x) => [x.id, `${x.givenName} ${x.familyName}`])));
  }, []);
  const load = useCallback(async () => apply(await loadCredentials()), [apply]);
  useEffect(() => {
    void loadCredentials().then(apply);
  }, [apply]);

  const run = async <T,>(p: Promise<Result<T>>, message: string, form?: HTMLFormElement) => {
    setError(null);
    setDone(null);
    const r = await p;
    if (!r.ok) return setError(r.error);
    setDone(message);
    form?.reset();
    await load();
  };
  const saveMethods = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void run(saveLoginMethods({ passwordSms: f.get('sms') === 'on', passwordYubikey: f.get('yubikey') === 'on' }), t('admin.credentials.methodsSaved'));
  };
  const setPassword = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const username = text(f, 'username');
    const phone = text(f, 'phone');
    void run(savePassword({ staffId: text(f, 'staffId'), username, password: text(f, 'password'), phone: phone === '' ? null : phone }), t('admin.credentials.passwordSet', { username }), f);
  };
  const enrol = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const base = { staffId: text(f, 'staffId'), publicId: text(f, 'publicId') };
    void run(
      enrolYubikey(text(f, 'verification') === 'yubico' ? { ...base, verification: 'yubico' } : { ...base, verification: 'local', aesKey: text(f, 'aesKey'), privateId: text(f, 'privateId') }),
      t('admin.credentials.enrolled'),
      f,
    );
  };

  if (!data) return <AdminError error={error} />;
  const people = (
    <>
      {data.people.map((p) => (
        <option key={p.staffId} value={p.staffId}>
          {names[p.staffId] ?? p.staffId}
        </option>
      ))}
    </>
  );
  return (
    <div className="admin-credentials">
      <AdminError error={error} />
      <Done text={done} />
      <form onSubmit={saveMethods} aria-label={t('admin.credentials.methods')}>
        <fieldset>
          <legend>{t('admin.credentials.methods')}</legend>
          <label>
            <input type="checkbox" name="sms" defaultChecked={data.methods.passwordSms} key={`sms-${data.methods.passwordSms}`} /> {t('admin.credentials.sms')}
          </label>
          <label>
            <input type="checkbox" name="yubikey" defaultChecked={data.methods.passwordYubikey} key={`yk-${data.methods.passwordYubikey}`} /> {t('admin.credentials.yubikey')}
          </label>
          <button type="submit">{t('admin.credentials.saveMethods')}</button>
        </fieldset>
      </form>
      <table>
        <thead>
          <tr>
            <th>{t('admin.credentials.person')}</th>
            <th>{t('admin.credentials.username')}</th>
            <th>{t('admin.credentials.keys')}</th>
          </tr>
        </thead>
        <tbody>
          {data.people
            .filter((p) => p.username !== null || p.yubikeys.length > 0)
            .map((p) => (
              <tr key={p.staffId}>
                <td>{names[p.staffId] ?? p.staffId}</td>
                <td>
                  {p.username ?? t('admin.credentials.noPassword')} {p.phoneHint}{' '}
                  {p.locked && (
                    <>
                      <strong>{t('admin.credentials.locked')}</strong>{' '}
                      <button type="button" onClick={() => void run(unlockPerson(p.staffId), t('admin.credentials.unlocked'))}>
                        {t('admin.credentials.unlock')}
                      </button>
                    </>
                  )}
                </td>
                <td>
                  {p.yubikeys.map((k) => (
                    <span key={k.publicId}>
                      {k.publicId}{' '}
                      {revoking === k.publicId ? (
                        <button type="button" onClick={() => void run(revokeYubikey(k.publicId), t('admin.credentials.revoked')).then(() => setRevoking(null))}>
                          {t('admin.credentials.confirmRevoke', { id: k.publicId })}
                        </button>
                      ) : (
                        <button type="button" onClick={() => setRevoking(k.publicId)}>
                          {t('admin.credentials.revoke', { id: k.publicId })}
                        </button>
                      )}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <form onSubmit={setPassword} aria-label={t('admin.credentials.setPassword')}>
        <fieldset>
          <legend>{t('admin.credentials.setPassword')}</legend>
          <label>
            {t('admin.credentials.person')} <select name="staffId" required>{people}</select>
          </label>
          <label>
            {t('admin.credentials.username')} <input name="username" required maxLength={64} autoComplete="off" />
          </label>
          <label>
            {t('admin.credentials.password')} <input name="password" type="password" required minLength={12} maxLength={128} autoComplete="new-password" />
          </label>
          <label>
            {t('admin.credentials.phone')} <input name="phone" type="tel" maxLength={16} autoComplete="off" />
          </label>
          <button type="submit">{t('admin.credentials.setPassword')}</button>
        </fieldset>
      </form>
      <form onSubmit={enrol} aria-label={t('admin.credentials.enrol')}>
        <fieldset>
          <legend>{t('admin.credentials.enrol')}</legend>
          <label>
            {t('admin.credentials.person')} <select name="staffId" required>{people}</select>
          </label>
          <label>
            {t('admin.credentials.verification')}{' '}
            <select name="verification">
              <option value="local">{t('admin.credentials.local')}</option>
              <option value="yubico">{t('admin.credentials.yubico')}</option>
            </select>
          </label>
          <label>
            {t('admin.credentials.publicId')} <input name="publicId" required maxLength={12} autoComplete="off" />
          </label>
          <label>
            {t('admin.credentials.aesKey')} <input name="aesKey" maxLength={32} autoComplete="off" />
          </label>
          <label>
            {t('admin.credentials.privateId')} <input name="privateId" maxLength={12} autoComplete="off" />
          </label>
          <button type="submit">{t('admin.credentials.enrol')}</button>
        </fieldset>
      </form>
    </div>
  );
}
