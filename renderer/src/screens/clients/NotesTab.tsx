import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, ClientRecord } from '#contract';
import { swedishDate, swedishDateTime } from '#contract';
import { api, events } from '../../bridge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { reportCopy } from './copy';
import { clientName } from './format';

type Note = Extract<Awaited<ReturnType<typeof api.notes.list>>, { ok: true }>['value'][number];

const noteLine = (n: Note) => `${swedishDateTime(n.createdAt)} ${n.author.name}: ${n.text}`;

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
        void api.notes.create({ unitId, clientId, text }).then((r) => {
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
            {n.summarisedAt && <span className="badge">{t('journal.notes.summarised')}</span>}
          </div>
          <p className="note-text">{n.text}</p>
          {onCopyToJournal && (
            <button type="button" className="button-plain" onClick={() => onCopyToJournal(n)} aria-label={`${t('journal.notes.copyToJournal')}: ${swedishDateTime(n.createdAt)}`}>
              {t('journal.notes.copyToJournal')}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

/**
 * A client's day notes. "Kopiera till journal" and "Sammanfatta" put the chosen notes (date,
 * author, text) into the client's journal draft, which opens for the user to edit before saving;
 * the notes are marked summarised when the entry is saved.
 */
export function NotesTab({ client, openDraft, openUnitFeed }: { client: ClientRecord; openDraft(): void; openUnitFeed(): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [from, setFrom] = useState(swedishDate(new Date(), -7));
  const [to, setTo] = useState(swedishDate());
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api.notes.list({ unitId: client.unitId, clientId: client.id, limit: 500 }).then((r) => {
        if (r.ok) setNotes(r.value);
        else setError(r.error);
      }),
    [client.id, client.unitId],
  );
  useEffect(() => {
    void load();
    return events.on('data.changed', (e) => {
      if (e.kinds.includes('day_note')) void load();
    });
  }, [load]);

  /** Adds the notes to the client's journal draft (keeping what is already written there). */
  const toDraft = async (chosen: Note[], title: string) => {
    const existing = await api.drafts.get({ clientId: client.id });
    const prev = existing.ok && existing.value ? existing.value : null;
    const block = [title, ...[...chosen].reverse().map(noteLine)].join('\n');
    const r = await api.drafts.save({
      clientId: client.id,
      text: prev?.text.trim() ? `${prev.text}\n\n${block}` : block,
      eventDate: prev?.eventDate ?? swedishDate(),
      lifeArea: prev?.lifeArea ?? null,
      summarisedNoteIds: [...new Set([...(prev?.summarisedNoteIds ?? []), ...chosen.map((n) => n.id)])],
    });
    if (r.ok) openDraft();
    else setError(r.error);
  };

  const summarise = () => {
    const chosen = (notes ?? []).filter((n) => {
      const d = swedishDate(new Date(n.createdAt));
      return d >= from && d <= to;
    });
    if (chosen.length === 0) return setMessage(t('journal.notes.noneInPeriod'));
    setMessage(null);
    void toDraft(chosen, t('journal.notes.summaryTitle', { from, to }));
  };

  return (
    <div className="day-notes" onCopy={() => reportCopy(client.id, 'day_notes', 'day_note')}>
      <p className="hint">{t('journal.notes.retention')}</p>
      <NoteForm unitId={client.unitId} clientId={client.id} onSaved={() => void load()} />
      <fieldset className="summarise">
        <legend>{t('journal.notes.summariseHeading')}</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-from`}>{t('journal.notes.from')}</label>
            <input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>{t('journal.notes.to')}</label>
            <input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <button type="button" onClick={summarise}>
            {t('journal.notes.summarise')}
          </button>
        </div>
        {message && <p role="status">{message}</p>}
      </fieldset>
      <button type="button" className="button-link" onClick={openUnitFeed}>
        {t('journal.notes.unitFeed')}
      </button>
      {error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {notes && <NoteList notes={notes} onCopyToJournal={(n) => void toDraft([n], t('journal.notes.copyTitle'))} />}
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
  const load = useCallback(
    () =>
      (query.trim() ? api.notes.search({ query, unitId, limit: 200 }) : api.notes.list({ unitId, limit: 200 })).then((r) => {
        if (r.ok) setNotes(r.value);
        else setError(r.error);
      }),
    [unitId, query],
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
