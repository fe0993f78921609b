import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Recipient } from '#contract';
import { recipientsFor } from './messages-actions';

interface Props {
  unitId: string;
  /** The thread's client or assignment, if any: only who may see the client is offered. */
  about?: { clientId: string | null; assignmentId: string | null };
  unitName: string;
  toUnit: boolean;
  onToUnit(v: boolean): void;
  selected: string[];
  onSelected(ids: string[]): void;
}

/** Above this many people a search field narrows the list. */
const FILTER_FROM = 8;

/**
 * Whom a new thread goes to (docs/messages.md): the unit's inbox and/or named people — colleagues
 * with a permission for the unit and the case officers of its assignments, as the server lists
 * them (needs a connection; offline the inbox alone, and the user is told why). Checkboxes in
 * fieldsets with legends, so a screen reader announces each group.
 */
export function RecipientPicker({ unitId, about, unitName, toUnit, onToUnit, selected, onSelected }: Props) {
  const { t } = useTranslation();
  // The answer for a unit; another unit's answer (the unit changed meanwhile) counts as loading.
  const [answer, setAnswer] = useState<{ unitId: string; people: Recipient[] | null }>({ unitId: '', people: null });
  const [filter, setFilter] = useState('');
  useEffect(() => {
    if (!unitId) return;
    let live = true;
    void recipientsFor(unitId, { clientId: about?.clientId ?? null, assignmentId: about?.assignmentId ?? null }).then((r) => {
      if (live) setAnswer({ unitId, people: r.ok ? r.value : null });
    });
    return () => {
      live = false;
    };
  }, [unitId, about?.clientId, about?.assignmentId]);
  const people = answer.unitId === unitId ? answer.people : null;
  const failed = answer.unitId === unitId && answer.people === null;
  const toggle = (id: string, on: boolean) => onSelected(on ? [...selected, id] : selected.filter((x) => x !== id));
  const needle = filter.trim().toLocaleLowerCase('sv');
  const shown = (people ?? []).filter((p) => !needle || `${p.name} ${p.title}`.toLocaleLowerCase('sv').includes(needle) || selected.includes(p.staffId));
  const group = (kind: Recipient['kind'], legend: string) => {
    const list = shown.filter((p) => p.kind === kind);
    if (list.length === 0) return null;
    return (
      <fieldset className="recipient-group">
        <legend>{legend}</legend>
        {list.map((p) => (
          <label key={p.staffId} className="checkbox">
            <input type="checkbox" checked={selected.includes(p.staffId)} onChange={(e) => toggle(p.staffId, e.target.checked)} />
            {p.name}, {p.title}
          </label>
        ))}
      </fieldset>
    );
  };
  return (
    <fieldset className="recipients" aria-describedby="recipients-hint">
      <legend>{t('messages.recipients')}</legend>
      <p id="recipients-hint" className="hint">
        {t('messages.recipientsHint')}
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={toUnit} onChange={(e) => onToUnit(e.target.checked)} />
        {t('messages.toUnitInbox', { unit: unitName })}
      </label>
      {people === null && !failed && <p aria-live="polite">{t('messages.recipientsLoading')}</p>}
      {failed && <p role="status">{t('messages.recipientsOffline')}</p>}
      {people !== null && people.length > FILTER_FROM && (
        <label className="recipient-filter">
          {t('messages.filterPeople')}
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      )}
      {people !== null && people.length > 0 && shown.length === 0 && <p>{t('messages.nobody')}</p>}
      {group('colleague', t('messages.colleagues'))}
      {group('case_officer', t('messages.caseOfficers'))}
    </fieldset>
  );
}
