import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalThreadSummary } from '#contract';
import { onDataChanged } from '../../state/data-changed';
import { useNav } from '../../state/nav-store';
import { threadsAbout } from './messages-actions';
import { ThreadItems } from './MessagesScreen';

/** The threads about a client or an assignment, on its page; live as messages arrive. */
export function ThreadsPanel({ unitId, clientId, assignmentId }: { unitId: string; clientId?: string; assignmentId?: string }) {
  const { t } = useTranslation();
  const { go } = useNav();
  const [threads, setThreads] = useState<LocalThreadSummary[]>([]);
  useEffect(() => {
    const load = () =>
      void threadsAbout({ clientId, assignmentId }).then((r) => {
        if (r.ok) setThreads(r.value);
      });
    load();
    return onDataChanged(['message', 'message_thread'], load);
  }, [clientId, assignmentId]);
  return (
    <section aria-labelledby="threads-panel-h" className="threads-panel">
      <h3 id="threads-panel-h">{t('messages.panelHeading')}</h3>
      {threads.length === 0 ? <p>{t('messages.panelEmpty')}</p> : <ThreadItems threads={threads} />}
      <button
        type="button"
        className="button-quiet"
        onClick={() => go('messages', { new: '1', unitId, ...(clientId ? { clientId } : {}), ...(assignmentId ? { assignmentId } : {}) })}
      >
        {t('messages.writeAbout')}
      </button>
    </section>
  );
}
