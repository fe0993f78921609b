import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useInbox } from './inbox-store';

/** How long "Nytt att hantera har kommit till inkorgen" stays once it has been shown (the list beside it shows the rest). */
export const NOTICE_SHOWN_MS = 15_000;

/**
 * "Nytt att hantera har kommit till inkorgen": shown above the inbox list when a sync brought more to handle; it goes
 * when the user closes it, opens an assignment (inbox-store's open), or after NOTICE_SHOWN_MS on screen.
 */
export function NewAssignmentNotice() {
  const { t } = useTranslation();
  const notice = useInbox((s) => s.notice);
  const dismiss = useInbox((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(dismiss, NOTICE_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return null;
  return (
    <div role="status" className="notice notice-new">
      <span className="banner-text">{t('inbox.newArrived')}</span>
      <button type="button" className="button-link" onClick={dismiss}>
        {t('inbox.dismiss')}
      </button>
    </div>
  );
}
