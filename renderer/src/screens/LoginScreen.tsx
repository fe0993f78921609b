import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AppVersion } from '../components/AppVersion';
import { ErrorNotice } from '../components/ErrorNotice';
import { useSession } from '../state/session-store';
import { PasswordLogin } from './PasswordLogin';

/**
 * "Logga in med e-tjänstekort": live reader and card status, the PIN field, tries left, and a
 * blocked card explained. Also the lock screen: the same card and PIN bring the user back.
 */
export function LoginScreen() {
  const { t } = useTranslation();
  const { session, card, loggingIn, loginError, login, selectReader, insertDemoCard, methods, loginWithIdp } = useSession();
  const idp = methods?.oidc ?? null;
  const idpHeading = useId();
  const [pin, setPin] = useState('');
  const pinRef = useRef<HTMLInputElement>(null);
  const pinId = useId();
  const hintId = useId();
  const locked = session?.state === 'locked';
  const blocked = card?.pin?.blocked === true || loginError?.code === 'PIN_BLOCKED';
  const hasCard = Boolean(card?.selectedReader);
  // Several cards in several readers: the user picks one (kept for this workstation).
  const choosing = (card?.readers.filter((r) => r.cardPresent).length ?? 0) > 1;
  const readerGroup = useId();
  const demoHeading = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = pin;
    setPin('');
    const ok = await login(value);
    if (!ok) pinRef.current?.focus();
  };

  return (
    <main className="login" aria-labelledby="login-heading">
      <div className="login-card">
        <h1 id="login-heading">{locked ? t('login.lockedHeading') : t('login.heading')}</h1>
        {locked && session?.user && (
          <p className="login-locked">
            {t(`login.lockedReason.${session.lockedReason ?? 'card_removed'}`)}{' '}
            {t('login.lockedUser', { name: `${session.user.givenName} ${session.user.familyName}` })}
          </p>
        )}
        <section aria-label={t('login.readers')} className="readers">
          {card?.service === 'unavailable' && <p className="reader-line reader-warning">{t('errors.PCSC_UNAVAILABLE')}</p>}
          {card?.service === 'ok' && card.readers.length === 0 && <p className="reader-line reader-warning">{t('login.noReader')}</p>}
          {choosing && <p className="reader-line">{card?.selectedReader ? t('login.readerChosen') : t('login.chooseReader')}</p>}
          <ul aria-live="polite">
            {card?.readers.map((r) => (
              <li key={r.name} className="reader-line">
                {choosing && r.cardPresent ? (
                  <label className="reader-name">
                    <input
                      type="radio"
                      name={readerGroup}
                      checked={card.selectedReader === r.name}
                      onChange={() => void selectReader(r.name)}
                      disabled={loggingIn}
                    />{' '}
                    {r.name}
                  </label>
                ) : (
                  <span className="reader-name">{r.name}</span>
                )}
                <span className={r.cardPresent ? 'reader-ok' : 'reader-empty'}>{r.cardPresent ? t('login.cardPresent') : t('login.noCard')}</span>
              </li>
            ))}
          </ul>
        </section>
        {card?.demo && (
          <section aria-labelledby={demoHeading} className="demo-cards">
            <h2 id={demoHeading}>{t('login.demo.heading')}</h2>
            <p>{t('login.demo.intro', { pin: card.demo.pin })}</p>
            <ul>
              {card.demo.people.map((p) => (
                <li key={p.id} className="reader-line">
                  <span className="reader-name">
                    {p.name} — {p.title}, {t(`login.roles.${p.role}`)}
                  </span>
                  {card.demo!.inserted === p.id ? (
                    <span>
                      <span className="reader-ok">{t('login.demo.inserted')}</span>{' '}
                      <button type="button" onClick={() => void insertDemoCard(null)} disabled={loggingIn} aria-label={t('login.demo.removeFor', { name: p.name })}>
                        {t('login.demo.remove')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" onClick={() => void insertDemoCard(p.id)} disabled={loggingIn} aria-label={t('login.demo.insertFor', { name: p.name })}>
                      {t('login.demo.insert')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}
        <form onSubmit={(e) => void submit(e)} className="login-form">
          <label htmlFor={pinId}>{t('login.pin')}</label>
          <input
            id={pinId}
            ref={pinRef}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            pattern="\d{4,12}"
            minLength={4}
            maxLength={12}
            required
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            aria-describedby={hintId}
            disabled={!hasCard || blocked || loggingIn}
            autoFocus
          />
          {/* One try left is a warning, not a hint: one more wrong PIN blocks the card. */}
          <p id={hintId} className={card?.pin?.triesLeft === 1 && !blocked ? 'pin-hint pin-hint-last' : 'pin-hint'} aria-live="polite">
            {blocked
              ? t('login.blocked')
              : card?.pin?.triesLeft != null
                ? t('login.triesLeft', { count: card.pin.triesLeft })
                : hasCard
                  ? t('login.pinHint')
                  : choosing
                    ? t('login.chooseReader')
                    : t('login.insertCard')}
          </p>
          <button type="submit" disabled={!hasCard || blocked || loggingIn || pin.length < 4}>
            {loggingIn ? t('login.signingIn') : t('login.submit')}
          </button>
        </form>
        {idp && (
          <section aria-labelledby={idpHeading} className="idp-login">
            <h2 id={idpHeading}>{t('login.idp.heading')}</h2>
            <p>{t('login.idp.intro', { name: idp.name })}</p>
            {idp.levels.map((level) => (
              <button key={level} type="button" onClick={() => void loginWithIdp(level)} disabled={loggingIn}>
                {idp.levels.length > 1 ? t('login.idp.buttonLevel', { name: idp.name, level }) : t('login.idp.button', { name: idp.name })}
              </button>
            ))}
            {loggingIn && <p aria-live="polite">{t('login.idp.waiting')}</p>}
          </section>
        )}
        {loginError && !blocked && <ErrorNotice error={loginError} />}
        {blocked && (
          <div role="alert" className="notice notice-error">
            <p>{t('errors.PIN_BLOCKED')}</p>
          </div>
        )}
        <PasswordLogin />
        <AppVersion />
      </div>
    </main>
  );
}
