import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AppError, LifeArea, swedishDate } from '#contract';
import type { InboxItem } from '#contract';
import { ConfirmStep } from '../../components/ConfirmStep';
import { DateField } from '../../components/DateField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatClock } from '../clients/format';
import type { FromNotes } from '../daynotes/NotesTab';
import { discardJournalDraft, listClientAssignments, loadJournalDraft, saveJournalDraft, saveJournalEntry } from './journal-actions';

const DRAFT_DEBOUNCE_MS = 500;
/** An event date further back than this asks "stämmer datumet?" before saving (docs/journal.md). */
export const BACKDATED_DAYS = 30;
/** Whole days from the event date back to today in Sweden. */
const daysBack = (day: string) => Math.round((Date.parse(swedishDate()) - Date.parse(day)) / 86_400_000);

export interface EditorProps {
  clientId: string;
  /** Set for a correction: the entry being marked erroneous. */
  corrects?: { id: string; eventDate: string; text: string; lifeArea: LifeArea | null };
  /** Opened by "Kopiera till journal" / "Sammanfatta": the draft holds the notes just added. */
  fromNotes?: FromNotes | null;
  onDone(saved: boolean): void;
}

/**
 * A journal entry being written. Every change is saved as a draft in the encrypted store
 * (debounced); opening the editor again — after a lock, a crash or a restart — brings the draft
 * back. Saving commits locally (pending, "Ej skickat") and deletes the draft.
 */
export function JournalEditor({ clientId, corrects, fromNotes, onDone }: EditorProps) {
  const { t } = useTranslation();
  const ids = useId();
  // The draft this editor writes. Its callers key the editor by it, so it stays the same for the
  // editor's life; memoised so the effects below can name it without running on every render.
  const correctsId = corrects?.id ?? null;
  const ref = useMemo(() => ({ clientId, correctsId }), [clientId, correctsId]);
  const [text, setText] = useState(corrects?.text ?? '');
  const [eventDate, setEventDate] = useState(corrects?.eventDate ?? swedishDate());
  const [lifeArea, setLifeArea] = useState<LifeArea | ''>(corrects?.lifeArea ?? '');
  const [reason, setReason] = useState('');
  const [assignmentId, setAssignmentId] = useState('');
  const [assignments, setAssignments] = useState<InboxItem[]>([]);
  const [noteIds, setNoteIds] = useState<string[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [restoredAt, setRestoredAt] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const dirty = useRef(false);
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let live = true;
    void loadJournalDraft(ref).then((r) => {
      if (!live) return;
      if (r.ok && r.value) {
        setText(r.value.text);
        setEventDate(r.value.eventDate);
        setLifeArea(r.value.lifeArea ?? '');
        setReason(r.value.reason);
        setNoteIds(r.value.summarisedNoteIds);
        // A draft the notes were just added to is not "restored": the notice below says what happened.
        if (!fromNotes) setRestoredAt(r.value.savedAt);
      }
      setLoaded(true);
      textRef.current?.focus();
    });
    // The client's assignments, so the entry can say which one it concerns.
    void listClientAssignments(clientId).then((r) => live && r.ok && setAssignments(r.value.items));
    return () => {
      live = false;
    };
    // Read once when the editor opens (it is keyed by its draft); fromNotes only shapes the notice.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ref, clientId]);

  // Save the draft ~500 ms after the last keystroke; an emptied editor has no draft.
  useEffect(() => {
    if (!loaded || !dirty.current) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const payload = { ...ref, text, eventDate, lifeArea: lifeArea || null, reason, summarisedNoteIds: noteIds };
      const empty = text.trim() === '' && reason.trim() === '' && noteIds.length === 0;
      void (empty ? discardJournalDraft(ref).then(() => setSavedAt(null)) : saveJournalDraft(payload).then((r) => r.ok && setSavedAt(r.value.savedAt)));
    }, DRAFT_DEBOUNCE_MS);
    return () => clearTimeout(timer.current);
  }, [ref, text, eventDate, lifeArea, reason, noteIds, loaded]);

  const change = <T,>(set: (v: T) => void) => (v: T) => {
    dirty.current = true;
    set(v);
  };

  const save = async () => {
    clearTimeout(timer.current);
    setSaving(true);
    setError(null);
    const common = { eventDate, text, lifeArea: lifeArea || null };
    const r = await saveJournalEntry(clientId, corrects ? { ...common, correcting: { entryId: corrects.id, reason } } : { ...common, assignmentId: assignmentId || null, summarisedNoteIds: noteIds });
    setSaving(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    onDone(true);
  };

  const [discarding, setDiscarding] = useState(false);
  const [askingDate, setAskingDate] = useState(false);
  const discard = async () => {
    clearTimeout(timer.current);
    await discardJournalDraft(ref);
    onDone(false);
  };

  const heading = corrects ? t('journal.editor.correctionHeading', { date: corrects.eventDate }) : t('journal.editor.newHeading');
  return (
    <form
      className="journal-editor"
      aria-labelledby={`${ids}-h`}
      // Our own Swedish messages, not the browser's bubbles: checkValidity() makes each invalid field
      // say its problem (DateField on its own; the text and the reason here).
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const missing = text.trim() === '' ? 'journal.editor.textMissing' : corrects && reason.trim() === '' ? 'journal.editor.reasonMissing' : null;
        setMissing(missing);
        if (!e.currentTarget.checkValidity() || missing) return;
        // A far back-dated entry sorts far down the journal: asked once, as a typo (2020 for 2026) is likely (issue 32).
        if (daysBack(eventDate) > BACKDATED_DAYS && !askingDate) return setAskingDate(true);
        setAskingDate(false);
        void save();
      }}
    >
      <h3 id={`${ids}-h`}>{heading}</h3>
      {restoredAt && <p className="notice" role="status">{t('journal.editor.draftRestored', { time: formatClock(restoredAt) })}</p>}
      {fromNotes && (
        <p className="notice" role="status">
          {fromNotes.keptDraftFrom
            ? t('journal.editor.notesAddedToDraft', { time: formatClock(fromNotes.keptDraftFrom), count: noteIds.length })
            : t('journal.editor.notesAdded', { count: noteIds.length })}
        </p>
      )}
      {noteIds.length > 0 && <p className="hint">{t('journal.editor.fromNotes', { count: noteIds.length })}</p>}
      {corrects && (
        <div className="field">
          <label htmlFor={`${ids}-reason`}>{t('journal.editor.reason')}</label>
          <input id={`${ids}-reason`} value={reason} required maxLength={2000} onChange={(e) => change(setReason)(e.target.value)} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${ids}-text`}>{t('journal.editor.text')}</label>
        <textarea id={`${ids}-text`} ref={textRef} rows={6} value={text} required maxLength={20000} onChange={(e) => change(setText)(e.target.value)} />
      </div>
      <div className="field-row">
        <DateField id={`${ids}-date`} label={t('journal.editor.eventDate')} value={eventDate} max={swedishDate()} required onChange={change(setEventDate)} />
        <div className="field">
          <label htmlFor={`${ids}-area`}>{t('journal.editor.lifeArea')}</label>
          <select id={`${ids}-area`} value={lifeArea} onChange={(e) => change(setLifeArea)(e.target.value as LifeArea | '')}>
            <option value="">{t('journal.editor.noLifeArea')}</option>
            {LifeArea.options.map((a) => (
              <option key={a} value={a}>
                {t(`journal.lifeAreas.${a}`)}
              </option>
            ))}
          </select>
        </div>
        {!corrects && assignments.length > 0 && (
          <div className="field">
            <label htmlFor={`${ids}-assignment`}>{t('journal.editor.assignment')}</label>
            <select id={`${ids}-assignment`} value={assignmentId} onChange={(e) => setAssignmentId(e.target.value)}>
              <option value="">{t('journal.editor.noAssignment')}</option>
              {assignments.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.services} ({a.decisionReference})
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {error && <ErrorNotice error={error} />}
      {missing && <p className="field-error" role="alert">{t(missing)}</p>}
      {askingDate && (
        <ConfirmStep
          question={t('journal.editor.backdatedQuestion', { date: eventDate, days: daysBack(eventDate) })}
          yes={t('journal.editor.backdatedYes', { date: eventDate })}
          no={t('journal.editor.backdatedNo')}
          onYes={() => {
            setAskingDate(false);
            void save();
          }}
          onNo={() => {
            setAskingDate(false);
            document.getElementById(`${ids}-date`)?.focus();
          }}
        />
      )}
      {discarding && (
        <ConfirmStep question={t('journal.editor.discardQuestion')} yes={t('journal.editor.discardYes')} no={t('journal.editor.discardNo')} onYes={() => void discard()} onNo={() => setDiscarding(false)} />
      )}
      <div className="actions">
        <button type="submit" disabled={saving || !loaded}>
          {saving ? t('journal.editor.saving') : corrects ? t('journal.editor.saveCorrection') : t('journal.editor.save')}
        </button>
        <button type="button" className="button-plain" onClick={() => onDone(false)}>
          {t('journal.editor.close')}
        </button>
        {!discarding && (
          <button type="button" className="button-plain" onClick={() => setDiscarding(true)}>
            {t('journal.editor.discard')}
          </button>
        )}
        <span className="draft-state" role="status" aria-live="polite">
          {savedAt ? t('journal.editor.draftSaved', { time: formatClock(savedAt) }) : ''}
        </span>
      </div>
    </form>
  );
}
