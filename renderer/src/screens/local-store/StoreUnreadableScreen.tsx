import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../state/session-store';
import { useLocalStore } from './local-store-store';
import './local-store.css';

/**
 * Shown instead of the app while the user's local store cannot be read (or could not be opened):
 * what happened, why, and "Hämta uppgifterna på nytt från servern". The old file is moved aside,
 * never deleted; after a resync the dialog says where it is, then the app continues and syncs.
 * An alertdialog: focus goes to its main button, which stays focusable while busy.
 */
export function StoreUnreadableScreen() {
  const { t } = useTranslation();
  const { status, busy, error, done, resync, acknowledge } = useLocalStore();
  const logout = useSession((s) => s.logout);
  const primary = useRef<HTMLButtonElement>(null);
  const view = done ? 'done' : status?.state === 'failed' ? 'failed' : 'unreadable';

  useEffect(() => {
    primary.current?.focus();
  }, [view]);

  if (view === 'done' && done) {
    const aside = done.keptAside.files.find((f) => !/(\.key|-wal|-shm)$/.test(f)) ?? done.keptAside.files[0];
    return (
      <Dialog heading={t('localStore.done.heading')} tone="done">
        <p id="store-dialog-desc">{t('localStore.done.syncing')}</p>
        {done.keptAside.folder && aside && (
          <div>
            <p>{t('localStore.done.keptAside')}</p>
            <dl className="store-kept">
              <dt>{t('localStore.done.folder')}</dt>
              <dd>
                <code className="store-path">{done.keptAside.folder}</code>
              </dd>
              <dt>{t('localStore.done.file')}</dt>
              <dd>
                <code className="store-path">{aside}</code>
              </dd>
            </dl>
            <p className="store-key-note">{t('localStore.done.keyBeside')}</p>
          </div>
        )}
        <p className="store-unsent">{t('localStore.done.unsent')}</p>
        <div className="store-dialog-actions">
          <button type="button" ref={primary} onClick={acknowledge}>
            {t('localStore.done.continue')}
          </button>
        </div>
      </Dialog>
    );
  }

  if (view === 'failed') {
    return (
      <Dialog heading={t('localStore.failed.heading')}>
        <p id="store-dialog-desc">{t(`localStore.failed.${status?.failure ?? 'other'}`)}</p>
        <div className="store-dialog-actions">
          <button type="button" ref={primary} onClick={() => void logout()}>
            {t('localStore.unreadable.logout')}
          </button>
        </div>
      </Dialog>
    );
  }

  const working = busy || status?.state === 'resyncing';
  return (
    <Dialog heading={t('localStore.unreadable.heading')}>
      <div id="store-dialog-desc">
        <p>{t('localStore.unreadable.what')}</p>
        {status?.cause && (
          <p>
            <strong>{t('localStore.unreadable.causeLabel')}</strong> {t(`localStore.unreadable.cause.${status.cause}`)}
          </p>
        )}
        <p>{t('localStore.unreadable.remedy')}</p>
      </div>
      <p className="store-unsent">{t('localStore.unreadable.unsent')}</p>
      {error && (
        <div role="alert" className="notice notice-error">
          <p>
            {t('localStore.unreadable.failed')} {error.details?.['reason'] === 'STORE_RESET_FAILED' ? t('localStore.unreadable.resetFailed') : t(`errors.${error.code}`)}
          </p>
          <p>{t('localStore.unreadable.nothingLost')}</p>
        </div>
      )}
      <p role="status" className="store-busy">
        {working ? t('localStore.unreadable.busyStatus') : ''}
      </p>
      <div className="store-dialog-actions">
        <button type="button" ref={primary} aria-disabled={working} onClick={() => !working && void resync()}>
          {working ? t('localStore.unreadable.busy') : t('localStore.unreadable.resync')}
        </button>
        <button type="button" className="button-quiet" disabled={working} onClick={() => void logout()}>
          {t('localStore.unreadable.logout')}
        </button>
      </div>
    </Dialog>
  );
}

function Dialog({ heading, tone = 'problem', children }: { heading: string; tone?: 'problem' | 'done'; children: ReactNode }) {
  return (
    <main className="store-screen">
      <div role="alertdialog" aria-modal="true" aria-labelledby="store-dialog-heading" aria-describedby="store-dialog-desc" className={`store-dialog store-dialog-${tone}`}>
        <h1 id="store-dialog-heading">{heading}</h1>
        {children}
      </div>
    </main>
  );
}
