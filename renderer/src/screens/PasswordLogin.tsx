import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../components/ErrorNotice';
import { usePasswordLogin } from '../state/password-login-store';

/**
 * "Logga in utan kort" (issue 29, docs/login.md): username and password, then the one-time code —
 * six digits by SMS, or the 44 characters a YubiKey types when its button is touched. Nothing
 * typed is kept after a try: the password field empties, the code field too.
 */
export function PasswordLogin() {
  const { t } = useTranslation();
  const { step, busy, error, start, verify, restart } = usePasswordLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [method, setMethod] = useState<'' | 'sms' | 'yubikey'>('');
  const [code, setCode] = useState('');
  const ids = { heading: useId(), user: useId(), pass: useId(), method: useId(), code: useId(), hint: useId() };

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    const value = password;
    setPassword('');
    await start({ username, password: value, ...(method ? { method } : {}) });
  };
  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    const value = code;
    setCode('');
    await verify(value);
  };
  const yubikey = step?.method === 'password_yubikey';

  return (
    <section aria-labelledby={ids.heading} className="password-login">
      <h2 id={ids.heading}>{t('login.password.heading')}</h2>
      {!step ? (
        <form onSubmit={(e) => void submitPassword(e)} className="login-form">
          <p>{t('login.password.intro')}</p>
          <label htmlFor={ids.user}>{t('login.password.username')}</label>
          <input id={ids.user} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={64} disabled={busy} />
          <label htmlFor={ids.pass}>{t('login.password.password')}</label>
          <input id={ids.pass} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required maxLength={128} disabled={busy} />
          <label htmlFor={ids.method}>{t('login.password.method')}</label>
          <select id={ids.method} value={method} onChange={(e) => setMethod(e.target.value as '' | 'sms' | 'yubikey')} disabled={busy}>
            <option value="">{t('login.password.methodAuto')}</option>
            <option value="sms">{t('login.password.methodSms')}</option>
            <option value="yubikey">{t('login.password.methodYubikey')}</option>
          </select>
          <button type="submit" disabled={busy || !username || !password}>
            {busy ? t('login.password.checking') : t('login.password.next')}
          </button>
        </form>
      ) : (
        <form onSubmit={(e) => void submitCode(e)} className="login-form">
          <p id={ids.hint} aria-live="polite">
            {yubikey ? t('login.password.yubikeyPrompt') : t('login.password.smsSent', { hint: step.phoneHint ?? '' })}
          </p>
          <label htmlFor={ids.code}>{yubikey ? t('login.password.yubikeyCode') : t('login.password.smsCode')}</label>
          <input
            id={ids.code}
            type="password"
            autoComplete="one-time-code"
            inputMode={yubikey ? 'text' : 'numeric'}
            maxLength={yubikey ? 44 : 6}
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
            aria-describedby={ids.hint}
            required
            disabled={busy}
            autoFocus
          />
          <button type="submit" disabled={busy || code.length < 6}>
            {busy ? t('login.signingIn') : t('login.password.submit')}
          </button>
          <button type="button" onClick={restart} disabled={busy}>
            {t('login.password.restart')}
          </button>
        </form>
      )}
      {error && <ErrorNotice error={error} />}
    </section>
  );
}
