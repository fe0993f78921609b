import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportDelivery } from '#contract';
import { DateField } from '../../components/DateField';
import { exportJournal } from './journal-actions';

/**
 * "Skriv ut / spara som PDF" for a client's journal, for a period of event dates the user chooses
 * (empty: the whole journal). Where the document goes is the host's: the system print or save
 * dialog in Electron, the browser's PDF viewer or a download in the browser host.
 */
export function ExportPanel({ clientId, onClose }: { clientId: string; onClose(): void }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const run = async (how: 'save' | 'print') => {
    setBusy(true);
    setMessage(null);
    const r = await exportJournal({ clientId, how, ...(from ? { from } : {}), ...(to ? { to } : {}) });
    setBusy(false);
    if (!r.ok) return setMessage(t(`errors.${r.error.code}`));
    const d: ExportDelivery = r.value.delivery;
    if (d.kind === 'download') {
      if (how === 'print') window.open(d.url, '_blank', 'noopener');
      else {
        const a = document.createElement('a');
        a.href = d.url;
        a.download = r.value.fileName;
        a.click();
      }
    }
    setMessage(t(`journal.export.done.${how === 'print' && d.kind === 'download' ? 'opened' : d.kind}`, { count: r.value.entries, path: 'path' in d ? d.path : '', fileName: r.value.fileName }));
  };

  return (
    <fieldset className="summarise export-panel">
      <legend>{t('journal.export.heading')}</legend>
      <p className="hint">{t('journal.export.hint')}</p>
      <div className="field-row">
        <DateField label={t('journal.export.from')} value={from} max={to || undefined} onChange={setFrom} />
        <DateField label={t('journal.export.to')} value={to} min={from || undefined} onChange={setTo} />
        <button type="button" disabled={busy} onClick={() => void run('print')}>
          {t('journal.export.print')}
        </button>
        <button type="button" className="button-outline" disabled={busy} onClick={() => void run('save')}>
          {t('journal.export.save')}
        </button>
        <button type="button" className="button-plain" onClick={onClose}>
          {t('journal.export.close')}
        </button>
      </div>
      <p role="status" className="export-status">
        {busy ? t('journal.journal.exporting') : message ?? ''}
      </p>
    </fieldset>
  );
}
