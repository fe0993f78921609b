import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { watchHostLost, type HostLost } from '../state/host-lost';

/** The browser host's page that cannot reach its host any more; null while it can. */
export function useHostLost(): HostLost | null {
  const [lost, setLost] = useState<HostLost | null>(null);
  useEffect(() => watchHostLost(setLost), []);
  return lost;
}

/**
 * Said instead of everything else in an old tab: the workstation was started again (a new address
 * with a new secret) or is not running. What the page showed before (a card, an error about the
 * server) would only mislead.
 */
export function HostLostScreen({ why }: { why: HostLost }) {
  const { t } = useTranslation();
  return (
    <main className="login" aria-labelledby="host-lost-h">
      <div className="login-card" role="alert">
        <h1 id="host-lost-h">{t(`hostLost.${why}.heading`)}</h1>
        <p>{t(`hostLost.${why}.text`)}</p>
        <p>{t('hostLost.close')}</p>
      </div>
    </main>
  );
}
