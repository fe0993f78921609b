import { useTranslation } from 'react-i18next';
import { useNav } from '../../state/nav-store';
import { useMessages } from './messages-store';

/** On every screen: "Nytt meddelande har kommit", until the user opens it ("Visa": the thread itself, when known) or closes it. */
export function MessageNotice() {
  const { t } = useTranslation();
  const notice = useMessages((s) => s.notice);
  const threadId = useMessages((s) => s.noticeThreadId);
  const dismiss = useMessages((s) => s.dismissNotice);
  const go = useNav((s) => s.go);
  if (!notice) return null;
  return (
    <div role="status" className="notice notice-new message-notice">
      <span className="banner-text">{t('messages.newArrived')}</span>
      <button
        type="button"
        className="button-link"
        onClick={() => {
          dismiss();
          go('messages', threadId ? { threadId } : {});
        }}
      >
        {t('messages.open')}
      </button>
      <button type="button" className="button-link" onClick={dismiss}>
        {t('messages.dismiss')}
      </button>
    </div>
  );
}
