import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useMessages } from './messages-store';

/** The menu entry's badge: unread messages in all the user's threads. */
export function MessagesBadge() {
  const { t } = useTranslation();
  const unread = useMessages((s) => s.unread);
  const refreshUnread = useMessages((s) => s.refreshUnread);
  useEffect(() => {
    void refreshUnread();
  }, [refreshUnread]);
  if (unread === 0) return null;
  return (
    <span className="badge" aria-label={t('messages.badge', { count: unread })}>
      {unread}
    </span>
  );
}
