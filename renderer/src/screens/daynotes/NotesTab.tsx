import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, ClientRecord, LifeArea } from '#contract';
import { swedishDate, swedishDateTime } from '#contract';
import { api, events } from '../../bridge';
import { DateField } from '../../components/DateField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { createOnce } from '../../state/create-id';
import { useLatest } from '../../state/latest';
import { clientName } from '../clients/format';
import { reportCopy } from '../journal/copy';
import { commonArea, inPeriod, noteLine, summaryText } from './summary';
import { SummaryChooser } from './SummaryChooser';

type Note = Extract<Awaited<ReturnType<typeof api.daynotes.list>>, { ok: true }>['value'][number];

/** Writing a day note: quick, visible to colleagues of the unit. */
export function NoteForm({ unitId, clientId, onSaved }: { unitId: string; clientId: string | null; onSaved(): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  return (
    <form
      className="note-form"
      onSubmit={(e) => {
        e.preventDefault();
        void createOnce(`note:${unitId}:${clientId ?? ''}`, (requestId) => api.daynotes.create({ requestId, unitId, clientId, text })).then((r) => {
          if (!r.ok) return setError(r.error);
          setText('');
          setError(null);
          onSaved();
        });
      }}
    >
      <label htmlFor={`${id}-t`}>{t('journal.notes.write')}</label>
      <textarea id={`${id}-t`} rows={2} maxLength={4000} value={text} required onChange={(e) => setText(e.target.value)} />
      {error && <ErrorNotice error={error} />}
      <button type="submit" disabled={text.trim() === ''}>
        {t('journal.notes.save')}
      </button>
    </form>
  );
}

export function NoteList({ notes, names, onCopyToJournal }: { notes: Note[]; names?: Map<string, string>; onCopyToJournal?: (n: Note) => void }) {
  const { t } = useTranslation();
  if (notes.length === 0) return <p>{t('journal.notes.empty')}</p>;
  return (
    <ol className="notes" aria-label={t('journal.notes.feed')}>
      {notes.map((n) => (
        <li key={n.id} className="note" data-record-id={n.id} {...(n.clientId ? { 'data-client-id': n.clientId } : {})}>
          <div className="note-head">
            <span className="note-author">
              {n.author.name}, {n.author.title}
            </span>
            <span className="note-time">{swedishDateTime(n.createdAt)}</span>
            {names && <span className="note-client">{n.clientId ? names.get(n.clientId) ?? '' : t('journal.notes.unitNote')}</span>}
            {n.pending && <span className="badge badge-pending">{t('journal.journal.pending')}</span>}
            {n.summarisedAt && <span className="badge badge-done">{t('journal.notes.summarisedAt', { time: swedishDateTime(n.summarisedAt) })}</span>}
          </div>
          <p className="note-text">{n.text}</p>
          {onCopyToJournal && !n.summarisedAt && (
            <button type="button" className="button-plain" onClick={() => onCopyToJournal(n)} aria-label={`${t('journal.notes.copyToJournal')}: ${swedishDateTime(n.createdAt)}`}>
              {t('journal.notes.copyToJournal')}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

/** How the journal editor was opened from the notes: whether a draft written before was kept. */
export type FromNotes = { keptDraftFrom: string | null };

/**
 * A client's day notes. "Kopiera till journal" (a note not yet summarised) and "Sammanfatta" (the
 * notes of a period the user ticks, grouped by life area when given one) put the notes into the
 * client's journal draft, which opens for the user to edit before saving; the notes are marked
 * summarised when the entry is saved.
 */
export function NotesTab({ client, openDraft, openUnitFeed }: { client: ClientRecord; openDraft(from: FromNotes): void; openUnitFeed(): void }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [from, setFrom] = useState(swedishDate(new Date(), -7));
  const [to, setTo] = useState(swedishDate());
  const [choosing, setChoosing] = useState<{ notes: Note[]; inDraft: Set<string> } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const latest = useLatest();
  const load = useCallback(
    () =>
      latest(api.daynotes.list({ unitId: client.unitId, clientId: client.id, limit: 500 }), (r) => {
        if (r.ok) setNotes(r.value);
        else setError(r.error);
      }),
    [client.id, client.unitId, latest],
  );
  useEffect(() => {
    void load();
    return events.on('data.changed', (e) => {
      if (e.kinds.includes('day_note')) void load();
    });
  }, [load]);

  /** Adds the text to the client's journal draft (after what is already written there). */
  const toDraft = async (block: string, noteIds: string[], lifeArea: LifeArea | null) => {
    const existing = await api.drafts.get({ clientId: client.id });
    const prev = existing.ok && existing.value ? existing.value : null;
    const kept = prev && (prev.text.trim() !== '' || prev.summarisedNoteIds.length > 0) ? prev : null;
    const r = await api.drafts.save({
      clientId: client.id,
      text: kept?.text.trim() ? `${kept.text}\n\n${block}` : block,
      eventDate: kept?.eventDate ?? swedishDate(),
      lifeArea: kept ? kept.lifeArea : lifeArea,
      summarisedNoteIds: [...new Set([...(kept?.summarisedNoteIds ?? []), ...noteIds])],
    });
    if (r.ok) openDraft({ keptDraftFrom: kept?.savedAt ?? null });
    else setError(r.error);
  };

  const choose = async () => {
    const period = inPeriod(notes ?? [], from, to);
    if (period.length === 0) return setMessage(t('journal.notes.noneInPeriod'));
    setMessage(null);
    const draft = await api.drafts.get({ clientId: client.id });
    setChoosing({ notes: period, inDraft: new Set(draft.ok && draft.value ? draft.value.summarisedNoteIds : []) });
  };

  return (
    <div className="day-notes" onCopy={() => reportCopy(client.id, 'day_notes', 'day_note')}>
      <p className="hint">{t('journal.notes.retention')}</p>
      <NoteForm unitId={client.unitId} clientId={client.id} onSaved={() => void load()} />
      <fieldset className="summarise">
        <legend>{t('journal.notes.summariseHeading')}</legend>
        <div className="field-row">
          <DateField label={t('journal.notes.from')} value={from} max={to} required onChange={setFrom} />
          <DateField label={t('journal.notes.to')} value={to} min={from} required onChange={setTo} />
          <button type="button" onClick={() => void choose()} aria-expanded={choosing !== null}>
            {t('journal.notes.summarise')}
          </button>
        </div>
        {message && <p role="status">{message}</p>}
        {choosing && (
          <SummaryChooser
            notes={choosing.notes}
            inDraft={choosing.inDraft}
            onCancel={() => setChoosing(null)}
            onChosen={(chosen, areaOf) => {
              setChoosing(null);
              const title = t('journal.notes.summaryTitle', { from, to });
              void toDraft(summaryText(title, chosen, areaOf), chosen.map((n) => n.id), commonArea(chosen.map((n) => n.id), areaOf));
            }}
          />
        )}
      </fieldset>
      <button type="button" className="button-link" onClick={openUnitFeed}>
        {t('journal.notes.unitFeed')}
      </button>
      {error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {notes && <NoteList notes={notes} onCopyToJournal={(n) => void toDraft([t('journal.notes.copyTitle'), noteLine(n)].join('\n'), [n.id], null)} />}
    </div>
  );
}

/** The unit-wide feed: every note of the unit, the client named; searchable (full-text, local). */
export function UnitNotes({ unitId, unitName, back, backLabel }: { unitId: string; unitName: string; back(): void; backLabel: string }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [names, setNames] = useState(new Map<string, string>());
  const [query, setQuery] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const latest = useLatest();
  const load = useCallback(
    () =>
      // A search typed on, or a reload on data.changed: the last one's answer is shown.
      latest(query.trim() ? api.daynotes.search({ query, unitId, limit: 200 }) : api.daynotes.list({ unitId, limit: 200 }), (r) => {
        if (r.ok) setNotes(r.value);
        else setError(r.error);
      }),
    [unitId, query, latest],
  );
  useEffect(() => {
    void load();
    void api.clients.list({ unitId, limit: 500 }).then((r) => r.ok && setNames(new Map(r.value.map((c) => [c.id, clientName(c)]))));
    return events.on('data.changed', (e) => {
      if (e.kinds.includes('day_note')) void load();
    });
  }, [load, unitId]);
  return (
    <section aria-labelledby="unit-notes-h" className="day-notes" onCopy={() => reportCopy(null, 'day_notes', 'day_note')}>
      <button type="button" className="button-link" onClick={back}>
        ← {t(backLabel)}
      </button>
      <h2 id="unit-notes-h">{t('journal.notes.unitHeading', { unit: unitName })}</h2>
      <p className="hint">{t('journal.notes.retention')}</p>
      <NoteForm unitId={unitId} clientId={null} onSaved={() => void load()} />
      <div className="field inline">
        <label htmlFor="unit-notes-search">{t('journal.notes.search')}</label>
        <input id="unit-notes-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {error && <ErrorNotice error={error} />}
      {notes && <NoteList notes={notes} names={names} />}
    </section>
  );
}
