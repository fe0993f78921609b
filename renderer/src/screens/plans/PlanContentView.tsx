import { useTranslation } from 'react-i18next';
import { diffPlanContent, ksiLabel, LIFE_AREA_LABELS_SV, type AppError, type PlanContent } from '#contract';
import { errorText } from '../../components/error-text';
import { useKsiList } from './ksi-store';
import { S } from './sv-plans';

/** A plan's content, read-only: as set, as drafted, or one side of a conflict. */
export function PlanContentView({ content }: { content: PlanContent }) {
  const text = (t: string) => (t.trim() === '' ? '—' : t);
  const { index: ksi } = useKsiList();
  return (
    <div className="plan-content">
      {content.assignmentIds.length > 0 && <p className="hint">{S.assignmentCount(content.assignmentIds.length)}</p>}
      <h5>{S.clientGoals}</h5>
      <p className="plan-text">{text(content.clientGoals)}</p>
      {content.areas.map((a) => (
        <div key={a.lifeArea} className="plan-area">
          <h5>{LIFE_AREA_LABELS_SV[a.lifeArea]}</h5>
          <p className="plan-text">
            <span className="plan-label">{S.needs}: </span>
            {text(a.needs)}
          </p>
          <ul>
            {a.goals.map((g) => (
              <li key={g.id}>{g.text}</li>
            ))}
          </ul>
        </div>
      ))}
      <h5>{S.activities}</h5>
      <ul className="plan-activities">
        {content.activities.map((x) => (
          <li key={x.id}>
            <strong>{x.what}</strong> — {x.who}
            {x.how && `; ${x.how}`}
            {x.when && `; ${x.when}`}
            {x.ksiCode && ` (KSI ${ksiLabel(x.ksiCode, ksi)})`}
          </li>
        ))}
      </ul>
      <h5>{S.participation}</h5>
      <p className="plan-text">{text(content.participation)}</p>
      <h5>{S.others}</h5>
      <p className="plan-text">{text(content.othersPresent.map((o) => `${S.roles[o.role]}${o.name ? ` ${o.name}` : ''}`).join(', '))}</p>
      <h5>{S.cooperation}</h5>
      <p className="plan-text">{text(content.cooperation)}</p>
      <h5>{S.followUpHow}</h5>
      <p className="plan-text">{text([content.followUp.date ?? '', content.followUp.how].filter(Boolean).join(', '))}</p>
    </div>
  );
}

/** What changed between two contents, section by section. */
export function PlanDiff({ before, after, heading }: { before: PlanContent; after: PlanContent; heading: string }) {
  const lines = diffPlanContent(before, after, (a) => LIFE_AREA_LABELS_SV[a]);
  return (
    <section className="plan-diff" aria-label={heading}>
      <h5>{heading}</h5>
      {lines.length === 0 && <p>{S.noDiff}</p>}
      {lines.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{S.section}</th>
              <th scope="col">{S.before}</th>
              <th scope="col">{S.after}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={i} className={`diff-${l.change}`}>
                <th scope="row">
                  {l.section} <span className="badge">{S.diffChange[l.change]}</span>
                </th>
                <td>{l.before ? <del>{l.before}</del> : '—'}</td>
                <td>{l.after ? <ins>{l.after}</ins> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** An error of a plan action: a refusal by errorText (its reason, the server's or the plan rule's words), other codes by the shared words. */
export function PlanError({ error, generic }: { error: AppError; generic: string }) {
  const { t } = useTranslation();
  const refusal = ['VALIDATION', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN'].includes(error.code);
  return (
    <p role="alert" className="notice notice-error">
      {refusal ? errorText(t, error, { serverMessage: true }) : generic}
    </p>
  );
}
