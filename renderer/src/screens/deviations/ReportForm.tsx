import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DEVIATION_CATEGORY_SV,
  DeviationCategory,
  fromSwedishLocalDateTime,
  LEX_SARAH_OPINION_SV,
  LexSarahOpinion,
  swedishLocalDateTime,
  type AppError,
  type ClientRecord,
} from '#contract';
import { DateTimeField } from '../../components/DateTimeField';
import { useUnits } from '../../state/units-store';
import { DeviationError } from './DeviationError';
import { clientsOfUnit, reportDeviation } from './deviations-actions';

export interface ReportPreset {
  unitId?: string | undefined;
  clientId?: string | undefined;
  assignmentId?: string | undefined;
}

const text = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();

/** What the fields a report cannot be sent without are called on the page: a group by its legend, a field by its label. */
function unansweredFields(f: HTMLFormElement): string[] {
  const names = new Set<string>();
  for (const el of Array.from(f.elements) as (HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement)[]) {
    if (!('validity' in el) || el.validity.valid || el.type === 'fieldset') continue;
    const group = el.closest('fieldset');
    const name = el.type === 'radio' ? group?.querySelector('legend')?.textContent : el.labels?.[0]?.textContent;
    if (name) names.add(name.trim());
  }
  return [...names];
}

/**
 * The deviation report (docs/deviations.md): a few fields, under a minute. Queued in the encrypted
 * store like every write, so it is sent whenever the connection is there. The category and the
 * lex Sarah question have no default: the reporter chooses. Opened from the menu, or from a
 * client's page or an assignment (the client and assignment filled in).
 */
export function ReportForm({ preset, onReported }: { preset: ReportPreset; onReported: () => void }) {
  const { t } = useTranslation();
  const { units, status, load } = useUnits();
  const [chosenUnit, setUnitId] = useState(preset.unitId ?? '');
  const unitId = chosenUnit || units[0]?.id || '';
  const [clients, setClients] = useState<ClientRecord[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [category, setCategory] = useState<string>('');
  // One id per report being written: a double click or a retry reports it once.
  const [id, setId] = useState(() => crypto.randomUUID());
  const [now] = useState(() => swedishLocalDateTime(new Date()));

  useEffect(() => {
    if (status === 'idle') void load();
  }, [status, load]);
  useEffect(() => {
    if (!unitId) return;
    void clientsOfUnit(unitId).then((r) => setClients(r.ok ? r.value : []));
  }, [unitId]);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const f = e.currentTarget;
    // Said on the page in Swedish, never only in a browser bubble (a report that silently does nothing
    // is a defect): the form is checked here (noValidate), each field also marks itself (`invalid`).
    if (!f.checkValidity()) return setError({ code: 'VALIDATION', message: t('deviations.unanswered', { fields: unansweredFields(f).join(', ') }), origin: 'rule' });
    const chosenCategory = DeviationCategory.safeParse(text(f, 'category'));
    if (!chosenCategory.success) return setError({ code: 'VALIDATION', message: t('deviations.chooseCategory'), origin: 'rule' });
    const lexSarah = LexSarahOpinion.safeParse(text(f, 'lexSarah'));
    if (!lexSarah.success) return setError({ code: 'VALIDATION', message: t('deviations.chooseLexSarah'), origin: 'rule' });
    const clientId = text(f, 'clientId') || null;
    const r = await reportDeviation({
      requestId: id,
      unitId,
      clientId,
      assignmentId: clientId !== null && clientId === preset.clientId ? (preset.assignmentId ?? null) : null,
      occurredAt: fromSwedishLocalDateTime(text(f, 'occurredAt')).toISOString(),
      place: text(f, 'place'),
      category: chosenCategory.data,
      description: text(f, 'description'),
      consequence: text(f, 'consequence'),
      immediateAction: text(f, 'immediateAction'),
      lexSarah: lexSarah.data,
    });
    if (!r.ok) return setError(r.error);
    f.reset();
    setCategory('');
    setId(crypto.randomUUID());
    setDone(t('deviations.sent', { offline: r.value.pending ? t('deviations.sentOffline') : '' }));
    onReported();
  };

  return (
    <form aria-labelledby="deviation-report-h" className="deviation-form" noValidate onSubmit={(e) => void submit(e)}>
      <h3 id="deviation-report-h">{t('deviations.reportHeading')}</h3>
      <DeviationError error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      <label>
        {t('deviations.unit')}
        <select name="unitId" value={unitId} onChange={(e) => setUnitId(e.target.value)} required>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('deviations.client')}
        <select name="clientId" defaultValue={preset.clientId ?? ''} key={`${unitId}-${clients.length}`}>
          <option value="">{t('deviations.noClient')}</option>
          {clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.familyName}, {c.givenName}
            </option>
          ))}
        </select>
      </label>
      <DateTimeField label={t('deviations.occurredAt')} name="occurredAt" required defaultValue={now} />
      <label>
        {t('deviations.place')}
        <input name="place" required maxLength={200} />
      </label>
      <fieldset>
        <legend>{t('deviations.category')}</legend>
        {DeviationCategory.options.map((c) => (
          <label key={c}>
            <input type="radio" name="category" value={c} required onChange={() => setCategory(c)} />
            {DEVIATION_CATEGORY_SV[c]}
          </label>
        ))}
      </fieldset>
      {category === 'medication' && <p className="notice">{t('deviations.medicationHint')}</p>}
      <label>
        {t('deviations.description')}
        <textarea name="description" required rows={3} maxLength={4000} />
      </label>
      <label>
        {t('deviations.consequence')}
        <textarea name="consequence" rows={2} maxLength={2000} />
      </label>
      <label>
        {t('deviations.immediateAction')}
        <textarea name="immediateAction" rows={2} maxLength={2000} />
      </label>
      <fieldset>
        <legend>{t('deviations.lexSarah')}</legend>
        {LexSarahOpinion.options.map((o) => (
          <label key={o}>
            <input type="radio" name="lexSarah" value={o} required />
            {LEX_SARAH_OPINION_SV[o]}
          </label>
        ))}
      </fieldset>
      <button type="submit">{t('deviations.send')}</button>
    </form>
  );
}
