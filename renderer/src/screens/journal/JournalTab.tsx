import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, ClientRecord } from '#contract';
import { swedishDateTime } from '#contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { onDataChanged } from '../../state/data-changed';
import { useLatest } from '../../state/latest';
import { useSession } from '../../state/session-store';
import type { FromNotes } from '../daynotes/NotesTab';
import { reportCopy } from './copy';
import { ExportPanel } from './ExportPanel';
import { listJournal, loadJournalDraft, type JournalEntry as Entry } from './journal-actions';
import { JournalEditor, type EditorProps } from './JournalEditor';

const PAGE = 200;

/**
 * A client's execution journal: newest first, searchable; erroneous entries struck through with
 * who marked them, when and why, linked to their correction. Opening it is a read in the access
 * log (main records it); copying from it is reported as a copy.
 */
export function JournalTab({ client, editorOpen, fromNotes, setEditorOpen }: { client: ClientRecord; editorOpen: boolean; fromNotes: FromNotes | null; setEditorOpen(open: boolean): void }) {
  const { t } = useTranslation();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [search, setSearch] = useState('');
  const [correcting, setCorrecting] = useState<EditorProps['corrects'] | null>(null);
  // Who may mark whose entry erroneous (docs/journal.md): the author, a superuser or a manager; the server decides again.
  const user = useSession((s) => s.session?.user ?? null);
  const mayCorrect = (authorId: string) => user !== null && (user.id === authorId || user.role === 'superuser' || user.role === 'manager');
  const [exporting, setExporting] = useState(false);

  // Older pages the user asked for belong to one client and one search: another of either shows none.
  const listKey = `${client.id}\n${search}`;
  const [olderPages, setOlderPages] = useState<{ key: string; entries: Entry[] }>({ key: listKey, entries: [] });
  const older = olderPages.key === listKey ? olderPages.entries : [];
  const [more, setMore] = useState(false);

  // The newest page; older pages the user asked for are kept below it (keyset paging).
  const latest = useLatest();
  const load = useCallback(
    () =>
      latest(listJournal({ clientId: client.id, limit: PAGE, ...(search.trim() ? { search: search.trim() } : {}) }), (r) => {
        if (r.ok) {
          setEntries(r.value);
          setMore(r.value.length === PAGE && !search.trim());
          setError(null);
        } else setError(r.error);
      }),
    [client.id, search, latest],
  );

  const loadOlder = async () => {
    const all = [...(entries ?? []), ...older];
    const last = all[all.length - 1];
    if (!last) return;
    const r = await listJournal({ clientId: client.id, limit: PAGE, before: { eventDate: last.eventDate, createdAt: last.createdAt, id: last.id } });
    if (!r.ok) return setError(r.error);
    setOlderPages((p) => ({ key: listKey, entries: [...(p.key === listKey ? p.entries : []), ...r.value] }));
    setMore(r.value.length === PAGE);
  };

  useEffect(() => {
    void load();
    return onDataChanged(['journal_entry'], () => void load());
  }, [load]);

  // A draft waiting for this client opens the editor by itself (after a lock, a crash, a restart).
  useEffect(() => {
    void loadJournalDraft({ clientId: client.id }).then((r) => {
      if (r.ok && r.value) setEditorOpen(true);
    });
  }, [client.id, setEditorOpen]);

  const shown = entries ? [...entries, ...older.filter((o) => !entries.some((e) => e.id === o.id))] : null;
  const byId = new Map((shown ?? []).map((e) => [e.id, e]));
  const correctionOf = new Map((shown ?? []).filter((e) => e.correctsId).map((e) => [e.correctsId!, e]));

  return (
    <div className="journal" onCopy={() => reportCopy(client.id, 'journal', 'journal_entry')}>
      <div className="toolbar">
        <button type="button" onClick={() => { setCorrecting(null); setEditorOpen(true); }} disabled={editorOpen}>
          {t('journal.journal.newEntry')}
        </button>
        <button type="button" className="button-outline" aria-expanded={exporting} onClick={() => setExporting(!exporting)}>
          {t('journal.journal.export')}
        </button>
        <div className="field inline">
          <label htmlFor="journal-search">{t('journal.journal.search')}</label>
          <input id="journal-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
      </div>
      {exporting && <ExportPanel clientId={client.id} onClose={() => setExporting(false)} />}
      {editorOpen && !correcting && <JournalEditor key={client.id} clientId={client.id} fromNotes={fromNotes} onDone={() => setEditorOpen(false)} />}
      {error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {shown && shown.length === 0 && <p>{search.trim() ? t('journal.journal.noHits') : t('journal.journal.empty')}</p>}
      {shown && shown.length > 0 && (
        <ol className="timeline" aria-label={t('journal.journal.timeline')}>
          {shown.map((e) => {
            const correction = correctionOf.get(e.id);
            const original = e.correctsId ? byId.get(e.correctsId) : undefined;
            return (
              <li key={e.id} id={`entry-${e.id}`} data-record-id={e.id} className={`entry${e.erroneous ? ' entry-erroneous' : ''}`}>
                <article aria-labelledby={`entry-h-${e.id}`}>
                  <header className="entry-head">
                    <h3 id={`entry-h-${e.id}`} className="entry-date">
                      <span className="visually-hidden">{t('journal.journal.eventDate')} </span>
                      {e.eventDate}
                      {e.erroneous && <span className="badge badge-danger">{t('journal.journal.erroneous')}</span>}
                      {e.pending && <span className="badge badge-pending">{t('journal.journal.pending')}</span>}
                    </h3>
                    <span className="entry-meta">
                      {t('journal.journal.by', { name: e.author.name, title: e.author.title })} · {t('journal.journal.written', { time: swedishDateTime(e.createdAt) })}
                      {e.lifeArea && (
                        <>
                          {' · '}
                          {t(`journal.lifeAreas.${e.lifeArea}`)}
                        </>
                      )}
                    </span>
                  </header>
                  {e.correctsId && (
                    <p className="entry-link">
                      {t('journal.journal.corrects', { date: original?.eventDate ?? '' })} – <a href={`#entry-${e.correctsId}`}>{t('journal.journal.correctsLink')}</a>
                    </p>
                  )}
                  {e.erroneous ? <del className="entry-text">{e.text}</del> : <p className="entry-text">{e.text}</p>}
                  {e.erroneous && (
                    <p className="entry-marked">
                      {t('journal.journal.markedBy', { time: swedishDateTime(e.erroneous.markedAt), name: e.erroneous.markedBy.name, title: e.erroneous.markedBy.title, reason: e.erroneous.reason })}
                      {correction && (
                        <>
                          {' '}
                          <a href={`#entry-${correction.id}`}>{t('journal.journal.correctedBy')}</a>
                        </>
                      )}
                    </p>
                  )}
                  {!e.erroneous && mayCorrect(e.author.staffId) && (
                    <button
                      type="button"
                      className="button-plain"
                      aria-label={`${t('journal.journal.markErroneous')} ${e.eventDate}`}
                      onClick={() => setCorrecting({ id: e.id, eventDate: e.eventDate, text: e.text, lifeArea: e.lifeArea })}
                    >
                      {t('journal.journal.markErroneous')}
                    </button>
                  )}
                  {correcting?.id === e.id && <JournalEditor key={`${client.id}:${e.id}`} clientId={client.id} corrects={correcting} onDone={() => setCorrecting(null)} />}
                </article>
              </li>
            );
          })}
        </ol>
      )}
      {more && (
        <button type="button" className="button-outline load-more" onClick={() => void loadOlder()}>
          {t('journal.journal.older')}
        </button>
      )}
    </div>
  );
}
