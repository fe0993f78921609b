import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DEVIATION_CATEGORY_SV,
  DEVIATION_DECISION_SV,
  DEVIATION_STEP_SV,
  DeviationDecision,
  LEX_SARAH_OPINION_SV,
  stepProblem,
  swedishDate,
  swedishDateTime,
  type AppError,
  type DeviationCase,
  type DeviationStep,
  type DeviationStepInput,
} from '#contract';
import { DateField } from '../../components/DateField';
import { DeviationError } from './DeviationError';
import { ivoPdf, openCase, writeStep } from './deviations-actions';
import { IvoCountdown } from './ManagerPanel';

const text = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();
type Kind = DeviationStepInput['kind'];
/** Which step a form writes (a measure's completion: per measure). */
const keyOf = (s: DeviationStepInput) => (s.kind === 'measure_done' ? `${s.kind}:${s.measureId}` : s.kind);

/** Whether the handling's order allows a step of `kind` now (the same rule the server applies). */
const allows = (steps: readonly DeviationStep[], kind: Kind, measureId = '') =>
  stepProblem(steps, { id: '00000000-0000-4000-8000-000000000000', kind, measureId, decision: 'serious' } as unknown as DeviationStepInput) === null;

function describe(s: DeviationStep): string {
  switch (s.kind) {
    case 'investigation':
      return [`Fakta: ${s.facts}`, s.clientView && `Brukarens syn: ${s.clientView}`, s.causes && `Orsaker: ${s.causes}`].filter(Boolean).join('\n');
    case 'measure':
      return `${s.what} — ansvarig ${s.responsible}, senast ${s.dueDate}`;
    case 'measure_done':
      return `Genomförd ${s.doneOn}`;
    case 'decision':
      return `${DEVIATION_DECISION_SV[s.decision]}: ${s.reasoning}`;
    case 'ivo_report':
      return `Anmäld ${s.reportedOn}, diarienummer ${s.reference}`;
    case 'closed':
      return s.summary;
    default:
      return '';
  }
}

/**
 * One deviation as the manager handles it: the report with its reporter, every step written (who
 * and when; nothing is changed afterwards), and a form for each step the order allows now.
 */
export function CaseView({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const [c, setC] = useState<DeviationCase | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // One id per step being written, kept until the server has answered it: trying again after a
  // lost answer (the connection gone) writes the step once — the server answers a known id with
  // the case as it is.
  // (Not state to render from: a map that lives as long as the view, changed only in handlers.)
  const [pendingIds] = useState(() => new Map<string, string>());
  const newId = (key: string) => {
    const known = pendingIds.get(key);
    if (known) return known;
    const id = crypto.randomUUID();
    pendingIds.set(key, id);
    return id;
  };

  useEffect(() => {
    void openCase(id).then((r) => (r.ok ? setC(r.value) : setError(r.error)));
  }, [id]);

  const write = async (step: DeviationStepInput, form?: HTMLFormElement) => {
    setError(null);
    const r = await writeStep(id, step);
    if (!r.ok) return setError(r.error);
    pendingIds.delete(keyOf(step));
    setC(r.value);
    form?.reset();
    onChanged();
  };
  const onForm = (build: (f: HTMLFormElement) => DeviationStepInput | null) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const step = build(f);
    if (step) void write(step, f);
  };
  const printIvo = async () => {
    setSaved(null);
    const r = await ivoPdf(id);
    if (!r.ok) return setError(r.error);
    const d = r.value.delivery;
    // The browser host hands the PDF out as a download; Electron has asked with its save dialog.
    if (d.kind === 'download') Object.assign(document.createElement('a'), { href: d.url, download: r.value.fileName }).click();
    if (d.kind !== 'cancelled') setSaved(t('deviations.ivoPdfSaved', { file: r.value.fileName }));
  };

  if (!c) return <DeviationError error={error} />;
  const r = c.record;
  const steps = c.steps;
  const done = new Set(steps.flatMap((s) => (s.kind === 'measure_done' ? [s.measureId] : [])));
  const section = (title: string, body: ReactNode) => (
    <>
      <h5>{title}</h5>
      {body}
    </>
  );
  const decided = steps.find((s) => s.kind === 'decision');
  return (
    <div className="deviation-case">
      <DeviationError error={error} />
      {saved && (
        <p role="status" className="notice">
          {saved}
        </p>
      )}
      <dl>
        <dt>{t('deviations.occurredAt')}</dt>
        <dd>
          {swedishDateTime(r.occurredAt)}, {r.place}
        </dd>
        <dt>{t('deviations.category')}</dt>
        <dd>{DEVIATION_CATEGORY_SV[r.category]}</dd>
        <dt>{t('deviations.description')}</dt>
        <dd className="deviation-text">{r.description}</dd>
        <dt>{t('deviations.consequence')}</dt>
        <dd className="deviation-text">{r.consequence || '—'}</dd>
        <dt>{t('deviations.immediateAction')}</dt>
        <dd className="deviation-text">{r.immediateAction || '—'}</dd>
        <dt>{t('deviations.lexSarah')}</dt>
        <dd>{LEX_SARAH_OPINION_SV[r.lexSarah]}</dd>
        <dt>{t('deviations.reporter')}</dt>
        <dd>
          {r.reportedBy.name}, {r.reportedBy.title} ({swedishDateTime(r.reportedAt)})
        </dd>
      </dl>
      {c.ivoDue && (
        <p>
          <IvoCountdown due={c.ivoDue} />
        </p>
      )}
      {c.officerInformed && <p className="deviation-meta">{t('deviations.officerInformed')}</p>}
      {section(
        t('deviations.steps'),
        steps.length === 0 ? (
          <p>{t('deviations.noSteps')}</p>
        ) : (
          <ol className="deviation-steps" aria-label={t('deviations.steps')}>
            {steps.map((s) => (
              <li key={s.id}>
                <strong>{DEVIATION_STEP_SV[s.kind]}</strong> <span className="deviation-meta">{swedishDateTime(s.at)}, {s.by.name}, {s.by.title}</span>
                <div className="deviation-text">{describe(s)}</div>
                {s.kind === 'measure' && !done.has(s.id) && allows(steps, 'measure_done', s.id) && (
                  <button type="button" onClick={() => void write({ id: newId(`measure_done:${s.id}`), kind: 'measure_done', measureId: s.id, doneOn: swedishDate() })}>
                    {t('deviations.markDone')}
                  </button>
                )}
              </li>
            ))}
          </ol>
        ),
      )}
      {allows(steps, 'received') && (
        <button type="button" onClick={() => void write({ id: newId('received'), kind: 'received' })}>
          {t('deviations.receive')}
        </button>
      )}
      {allows(steps, 'investigation') && (
        <form aria-label={t('deviations.investigation')} onSubmit={onForm((f) => ({ id: newId('investigation'), kind: 'investigation', facts: text(f, 'facts'), clientView: text(f, 'clientView'), causes: text(f, 'causes') }))}>
          <label>
            {t('deviations.facts')}
            <textarea name="facts" required rows={3} maxLength={8000} />
          </label>
          <label>
            {t('deviations.clientView')}
            <textarea name="clientView" rows={2} maxLength={4000} />
          </label>
          <label>
            {t('deviations.causes')}
            <textarea name="causes" rows={2} maxLength={4000} />
          </label>
          <button type="submit">{t('deviations.addInvestigation')}</button>
        </form>
      )}
      {allows(steps, 'measure') && (
        <form aria-label={t('deviations.measure')} onSubmit={onForm((f) => ({ id: newId('measure'), kind: 'measure', what: text(f, 'what'), responsible: text(f, 'responsible'), dueDate: text(f, 'dueDate') }))}>
          <label>
            {t('deviations.measure')}
            <input name="what" required maxLength={2000} />
          </label>
          <label>
            {t('deviations.responsible')}
            <input name="responsible" required maxLength={200} />
          </label>
          <DateField label={t('deviations.dueDate')} name="dueDate" required />
          <button type="submit">{t('deviations.addMeasure')}</button>
        </form>
      )}
      {allows(steps, 'decision') && (
        <form
          aria-label={t('deviations.decision')}
          onSubmit={onForm((f) => {
            const d = DeviationDecision.safeParse(text(f, 'decision'));
            if (!d.success) {
              setError({ code: 'VALIDATION', message: t('deviations.chooseDecision'), origin: 'rule' });
              return null;
            }
            return { id: newId('decision'), kind: 'decision', decision: d.data, reasoning: text(f, 'reasoning') };
          })}
        >
          <fieldset>
            <legend>{t('deviations.decision')}</legend>
            {DeviationDecision.options.map((d) => (
              <label key={d}>
                <input type="radio" name="decision" value={d} required /> {DEVIATION_DECISION_SV[d]}
              </label>
            ))}
          </fieldset>
          <label>
            {t('deviations.reasoning')}
            <textarea name="reasoning" required rows={2} maxLength={4000} />
          </label>
          <button type="submit">{t('deviations.decide')}</button>
        </form>
      )}
      {decided && decided.kind === 'decision' && (decided.decision === 'serious' || decided.decision === 'serious_risk') && (
        <button type="button" onClick={() => void printIvo()}>
          {t('deviations.ivoPdf')}
        </button>
      )}
      {allows(steps, 'ivo_report') && (
        <form aria-label={t('deviations.ivoReport')} onSubmit={onForm((f) => ({ id: newId('ivo_report'), kind: 'ivo_report', reportedOn: text(f, 'reportedOn'), reference: text(f, 'reference') }))}>
          <DateField label={t('deviations.ivoReportedOn')} name="reportedOn" required defaultValue={swedishDate()} />
          <label>
            {t('deviations.ivoReference')}
            <input name="reference" required maxLength={100} />
          </label>
          <button type="submit">{t('deviations.recordIvo')}</button>
        </form>
      )}
      {allows(steps, 'closed') && (
        <form
          aria-label={t('deviations.closeCase')}
          onSubmit={onForm((f) => (window.confirm(t('deviations.closeConfirm')) ? { id: newId('closed'), kind: 'closed', summary: text(f, 'summary') } : null))}
        >
          <label>
            {t('deviations.summary')}
            <textarea name="summary" rows={2} maxLength={2000} />
          </label>
          <button type="submit">{t('deviations.closeCase')}</button>
        </form>
      )}
    </div>
  );
}
