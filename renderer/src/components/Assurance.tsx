import { useTranslation } from 'react-i18next';
import { useSession } from '../state/session-store';

/**
 * Why something is closed and how to get in (issue 29): a session below client data's assurance
 * level sees the notice board and messages without client data; for the rest, a login at a higher
 * level — the card, or the identity provider asked for LoA3.
 */
function StepUp({ needed }: { needed: number }) {
  const { t } = useTranslation();
  const { methods, loggingIn, loginWithIdp } = useSession();
  const idpReaches = methods?.oidc?.levels.includes(needed as 1 | 2 | 3 | 4) ?? false;
  return (
    <p>
      {t('assurance.howCard')}{' '}
      {idpReaches && (
        <button type="button" onClick={() => void loginWithIdp(needed as 1 | 2 | 3 | 4)} disabled={loggingIn}>
          {loggingIn ? t('login.idp.waiting') : t('assurance.stepUp', { name: methods?.oidc?.name ?? '', level: needed })}
        </button>
      )}
    </p>
  );
}

export function AssuranceNotice({ loa, needed }: { loa: number; needed: number }) {
  const { t } = useTranslation();
  return (
    <div className="notice" role="status">
      <p>{t('assurance.banner', { loa, needed })}</p>
    </div>
  );
}

export function ClosedScreen({ loa, needed }: { loa: number; needed: number }) {
  const { t } = useTranslation();
  const error = useSession((s) => s.loginError);
  return (
    <section className="closed-screen" aria-labelledby="closed-heading">
      <h1 id="closed-heading">{t('assurance.closedHeading')}</h1>
      <p>{t('assurance.closedWhy', { loa, needed })}</p>
      <StepUp needed={needed} />
      {error && <p role="alert">{t(`errors.${error.code}`)}</p>}
    </section>
  );
}
