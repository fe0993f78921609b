import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useInbox } from './inbox-store';

/** The menu entry's badge: how many assignments wait for the provider (new, or a cancellation to confirm). */
export function InboxBadge() {
  const { t } = useTranslation();
  const needsAction = useInbox((s) => s.needsAction);
  const refreshBadge = useInbox((s) => s.refreshBadge);
  useEffect(() => {
    void refreshBadge();
  }, [refreshBadge]);
  if (needsAction === 0) return null;
  return (
    <span className="badge" aria-label={t('inbox.badge', { count: needsAction })} title={t('inbox.badge', { count: needsAction })}>
      {needsAction}
    </span>
  );
}
