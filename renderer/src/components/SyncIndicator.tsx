import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSync } from '../state/sync-store';

/**
 * The connection and the outbox in the header: "Ansluten" / "Ej ansluten" / "Ansluter…", and
 * "Ej skickat (N)" while writes wait for the server.
 */
export function SyncIndicator() {
  const { t } = useTranslation();
  const { status, watch } = useSync();
  // The one subscription: the header is there whenever the app shell is, and SyncRefusals reads the same store.
  useEffect(() => watch(), [watch]);
  if (!status) return null;
  return (
    <span role="status" className={`sync-state sync-${status.connection}`}>
      {t(`sync.connection.${status.connection}`)}
      {status.pending > 0 && <> · {t('sync.pending', { count: status.pending })}</>}
    </span>
  );
}

/**
 * Writes the server refused for good, at the top of the page (full width, above the banners, not
 * in the header where they squeezed it at 1024 px): the reason and what the user wrote, until she
 * dismisses them.
 */
export function SyncRefusals() {
  const { t } = useTranslation();
  const { status, dismissRefusal } = useSync();
  if (!status || status.refusals.length === 0) return null;

  return (
    <div className="sync-refusals">
      {status.refusals.map((r) => (
        <div key={r.mutationId} role="alert" className="notice notice-error sync-refusal">
          <p>
            {t('sync.refused', { what: t(`sync.mutation.${r.type.replace('.', '_')}`, { defaultValue: t('sync.mutation.other') }) })} {r.message || t(`errors.${r.code}`)}
          </p>
          {r.text !== null && <RefusedText text={r.text} />}
          <button type="button" onClick={() => void dismissRefusal(r.mutationId)}>
            {t('sync.dismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}

/** What the user wrote in the refused write, selectable and with a copy button, so it is never lost. */
function RefusedText({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <div className="sync-refused-text">
      <textarea readOnly value={text} aria-label={t('sync.refusedText')} rows={Math.min(6, text.split('\n').length + 1)} />
      <button type="button" onClick={() => void copy()}>
        {copied ? t('sync.copied') : t('sync.copy')}
      </button>
    </div>
  );
}
