import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LifeArea, swedishDateTime, type DayNoteRecord } from '#contract';

type Note = Pick<DayNoteRecord, 'id' | 'text' | 'author' | 'createdAt' | 'summarisedAt'>;

/**
 * Which notes of the period go into the summary: each note with a tick box (ticked unless it is
 * already summarised or already in the journal draft, which are marked so), and an optional life
 * area that groups the summary. Trivia ("kaffet är slut") is left out by unticking it.
 */
export function SummaryChooser({ notes, inDraft, onChosen, onCancel }: {
  notes: Note[];
  /** Notes already taken into the client's journal draft. */
  inDraft: ReadonlySet<string>;
  onChosen(chosen: Note[], areaOf: (id: string) => LifeArea | null): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const oldestFirst = [...notes].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const [ticked, setTicked] = useState(() => new Set(notes.filter((n) => !n.summarisedAt && !inDraft.has(n.id)).map((n) => n.id)));
  const [areas, setAreas] = useState(new Map<string, LifeArea>());
  const toggle = (id: string) =>
    setTicked((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const chosen = oldestFirst.filter((n) => ticked.has(n.id));
  return (
    <div className="summary-chooser" role="group" aria-labelledby={`${ids}-h`}>
      <h3 id={`${ids}-h`}>{t('journal.summary.heading', { count: notes.length })}</h3>
      <p className="hint">{t('journal.summary.hint')}</p>
      <ul className="summary-notes" aria-label={t('journal.summary.list')}>
        {oldestFirst.map((n) => (
          <li key={n.id} className={`summary-note${ticked.has(n.id) ? '' : ' summary-note-off'}`}>
            <input id={`${ids}-${n.id}`} type="checkbox" checked={ticked.has(n.id)} onChange={() => toggle(n.id)} />
            <label htmlFor={`${ids}-${n.id}`}>
              <span className="note-time">{swedishDateTime(n.createdAt)}</span> <span className="note-author">{n.author.name}</span>
              {n.summarisedAt && <span className="badge badge-done">{t('journal.summary.already', { time: swedishDateTime(n.summarisedAt) })}</span>}
              {!n.summarisedAt && inDraft.has(n.id) && <span className="badge badge-done">{t('journal.summary.inDraft')}</span>}
              <span className="summary-text">{n.text}</span>
            </label>
            <select
              aria-label={t('journal.summary.area', { time: swedishDateTime(n.createdAt) })}
              value={areas.get(n.id) ?? ''}
              disabled={!ticked.has(n.id)}
              onChange={(e) =>
                setAreas((prev) => {
                  const next = new Map(prev);
                  if (e.target.value) next.set(n.id, e.target.value as LifeArea);
                  else next.delete(n.id);
                  return next;
                })
              }
            >
              <option value="">{t('journal.summary.noArea')}</option>
              {LifeArea.options.map((a) => (
                <option key={a} value={a}>
                  {t(`journal.lifeAreas.${a}`)}
                </option>
              ))}
            </select>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" disabled={chosen.length === 0} onClick={() => onChosen(chosen, (id) => areas.get(id) ?? null)}>
          {t('journal.summary.make', { count: chosen.length })}
        </button>
        <button type="button" className="button-plain" onClick={onCancel}>
          {t('journal.summary.cancel')}
        </button>
      </div>
    </div>
  );
}
