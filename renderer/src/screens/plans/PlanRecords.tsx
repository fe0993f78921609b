import { useId, useState } from 'react';
import { currentVersion, GoalOutcome, latestConsent, swedishDate, type AppError, type LocalPlan } from '#contract';
import { DateField } from '../../components/DateField';
import { PlanError } from './PlanContentView';
import { recordConsent, recordFollowUp } from './plans-actions';
import { S } from './sv-plans';

/** The plan's follow-ups (uppföljningar) and the form to record one for the current version. */
export function FollowUpSection({ plan }: { plan: LocalPlan }) {
  const ids = useId();
  const v = currentVersion(plan);
  const goals = v ? v.content.areas.flatMap((a) => a.goals) : [];
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState(swedishDate());
  // No outcome is preselected: each goal's is chosen (issue 32, docs/plans.md).
  const [outcomes, setOutcomes] = useState<Record<string, { outcome: GoalOutcome | null; comment: string }>>({});
  const [comment, setComment] = useState('');
  const [revise, setRevise] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const save = async () => {
    if (!v) return;
    const unchosen = goals.find((g) => !outcomes[g.id]?.outcome);
    if (unchosen) {
      setError({ code: 'VALIDATION', message: S.outcomeMissing(unchosen.text), origin: 'rule' });
      document.getElementById(`${ids}-o-${unchosen.id}`)?.focus();
      return;
    }
    const r = await recordFollowUp({
      id: plan.id,
      versionId: v.id,
      date,
      outcomes: goals.map((g) => ({ goalId: g.id, outcome: outcomes[g.id]!.outcome!, comment: outcomes[g.id]?.comment ?? '' })),
      comment,
      revise,
    });
    if (!r.ok) return setError(r.error);
    setOpen(false);
    setComment('');
    setOutcomes({});
  };
  // A follow-up shows each goal as worded in the version it followed up, not as revised since.
  const goalText = (versionId: string, goalId: string) =>
    plan.versions.find((x) => x.id === versionId)?.content.areas.flatMap((a) => a.goals).find((g) => g.id === goalId)?.text;
  return (
    <section aria-labelledby={`${ids}-h`} className="plan-card">
      <h4 id={`${ids}-h`}>{S.followUps}</h4>
      {plan.followUps.length === 0 && <p>{S.noFollowUps}</p>}
      <ul className="plan-list">
        {plan.followUps.map((f) => (
          <li key={f.id}>
            <strong>{S.followedUp(f.date, f.recordedBy.name)}</strong>
            {f.revise && <span className="badge badge-pending">{S.reviseFlag}</span>}
            <ul>
              {f.outcomes.map((o) => (
                <li key={o.goalId}>
                  {goalText(f.versionId, o.goalId) ?? '—'}: {S.outcomes[o.outcome]}
                  {o.comment && ` – ${o.comment}`}
                </li>
              ))}
            </ul>
            {f.comment && <p className="plan-text">{f.comment}</p>}
          </li>
        ))}
      </ul>
      {v && !open && (
        <button type="button" className="button-outline" onClick={() => setOpen(true)}>
          {S.followUpButton}
        </button>
      )}
      {v && open && (
        <form
          className="plan-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <DateField id={`${ids}-date`} label={S.followUpDay} value={date} max={swedishDate()} required onChange={setDate} />
          {goals.map((g) => (
            <div key={g.id} className="field-row">
              <div className="field">
                <label htmlFor={`${ids}-o-${g.id}`}>{S.outcome(g.text)}</label>
                <select
                  id={`${ids}-o-${g.id}`}
                  value={outcomes[g.id]?.outcome ?? ''}
                  aria-invalid={error?.code === 'VALIDATION' && !outcomes[g.id]?.outcome ? true : undefined}
                  onChange={(e) => setOutcomes((o) => ({ ...o, [g.id]: { comment: o[g.id]?.comment ?? '', outcome: e.target.value as GoalOutcome } }))}
                >
                  <option value="" disabled>
                    {S.chooseOutcome}
                  </option>
                  {GoalOutcome.options.map((x) => (
                    <option key={x} value={x}>
                      {S.outcomes[x]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${ids}-c-${g.id}`}>{S.outcomeComment(g.text)}</label>
                <input
                  id={`${ids}-c-${g.id}`}
                  value={outcomes[g.id]?.comment ?? ''}
                  maxLength={2000}
                  onChange={(e) => setOutcomes((o) => ({ ...o, [g.id]: { outcome: o[g.id]?.outcome ?? null, comment: e.target.value } }))}
                />
              </div>
            </div>
          ))}
          <div className="field">
            <label htmlFor={`${ids}-comment`}>{S.followUpComment}</label>
            <textarea id={`${ids}-comment`} rows={2} value={comment} maxLength={4000} onChange={(e) => setComment(e.target.value)} />
          </div>
          <div className="field checkbox">
            <label>
              <input type="checkbox" checked={revise} onChange={(e) => setRevise(e.target.checked)} /> {S.reviseNeeded}
            </label>
          </div>
          {error && <PlanError error={error} generic={S.saveFollowUp} />}
          <div className="actions">
            <button type="submit">{S.saveFollowUp}</button>
            <button type="button" className="button-plain" onClick={() => setOpen(false)}>
              {S.close}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The consent events, the one in force, and the form to record a new one. */
export function ConsentSection({ plan }: { plan: LocalPlan }) {
  const ids = useId();
  const [open, setOpen] = useState(false);
  // Nothing preselected: the client's answer, how and by whom are chosen (issue 32, docs/plans.md).
  const [status, setStatus] = useState<'given' | 'refused' | 'revoked' | ''>('');
  const [date, setDate] = useState(swedishDate());
  const [how, setHow] = useState<'oral' | 'written' | ''>('');
  const [givenBy, setGivenBy] = useState<'client' | 'representative' | ''>('');
  const [representative, setRepresentative] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const save = async () => {
    const fields: [string, string, string][] = [
      [status, S.consentChoice, 'status'],
      [how, S.consentHowLabel, 'how'],
      [givenBy, S.consentWho, 'who'],
    ];
    const missing = fields.find(([value]) => value === '');
    if (missing) {
      setError({ code: 'VALIDATION', message: S.consentMissing(missing[1]), origin: 'rule' });
      document.getElementById(`${ids}-${missing[2]}`)?.focus();
      return;
    }
    if (status === '' || how === '' || givenBy === '') return;
    const r = await recordConsent({ id: plan.id, status, date, how, givenBy, representative, note });
    if (!r.ok) return setError(r.error);
    setOpen(false);
    setStatus('');
    setHow('');
    setGivenBy('');
  };
  const last = latestConsent(plan);
  return (
    <section aria-labelledby={`${ids}-h`} className="plan-card">
      <h4 id={`${ids}-h`}>{S.consent}</h4>
      <p className="plan-consent-now">
        {last ? S.consentNow(S.consentStatus[last.status], last.date, `${S.consentHow[last.how]}, ${S.consentGivenBy[last.givenBy]}${last.representative ? ` ${last.representative}` : ''}`, last.recordedBy.name) : S.noConsent}
      </p>
      {!open && (
        <button type="button" className="button-outline" onClick={() => setOpen(true)}>
          {S.consentButton}
        </button>
      )}
      {open && (
        <form
          className="plan-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${ids}-status`}>{S.consentChoice}</label>
              <select id={`${ids}-status`} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
                <option value="" disabled>
                  {S.chooseConsent}
                </option>
                {(['given', 'refused', 'revoked'] as const).map((x) => (
                  <option key={x} value={x}>
                    {S.consentStatus[x]}
                  </option>
                ))}
              </select>
            </div>
            <DateField id={`${ids}-date`} label={S.consentDate} value={date} max={swedishDate()} required onChange={setDate} />
            <div className="field">
              <label htmlFor={`${ids}-how`}>{S.consentHowLabel}</label>
              <select id={`${ids}-how`} value={how} onChange={(e) => setHow(e.target.value as typeof how)}>
                <option value="" disabled>
                  {S.chooseConsent}
                </option>
                <option value="written">{S.consentHow.written}</option>
                <option value="oral">{S.consentHow.oral}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${ids}-who`}>{S.consentWho}</label>
              <select id={`${ids}-who`} value={givenBy} onChange={(e) => setGivenBy(e.target.value as typeof givenBy)}>
                <option value="" disabled>
                  {S.chooseConsent}
                </option>
                <option value="client">{S.consentGivenBy.client}</option>
                <option value="representative">{S.consentGivenBy.representative}</option>
              </select>
            </div>
          </div>
          {givenBy === 'representative' && (
            <div className="field">
              <label htmlFor={`${ids}-rep`}>{S.representative}</label>
              <input id={`${ids}-rep`} value={representative} maxLength={200} required onChange={(e) => setRepresentative(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor={`${ids}-note`}>{S.consentNote}</label>
            <input id={`${ids}-note`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
          </div>
          {error && <PlanError error={error} generic={S.saveConsent} />}
          <div className="actions">
            <button type="submit">{S.saveConsent}</button>
            <button type="button" className="button-plain" onClick={() => setOpen(false)}>
              {S.close}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
