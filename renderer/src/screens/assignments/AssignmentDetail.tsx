import { useTranslation } from 'react-i18next';
import { formatPersonnummer, swedishDateTime } from '#contract';
import { HISTORY_ACTION_LABELS, type Assignment } from '#contract';
import { errorText } from '../../components/error-text';
import { ReportDeviationLink } from '../deviations/ReportDeviationLink';
import { ThreadsPanel } from '../messages/ThreadsPanel';
import { ActionOutcome } from './ActionOutcome';
import { AssignmentActions } from './AssignmentActions';
import { DistributionFacts, JournalLink } from './AssignmentLinks';
import { ChangeNotice, DetailRefreshed } from './ChangeNotice';
import { useInbox } from './inbox-store';

export function AssignmentDetail() {
  const { t } = useTranslation();
  const { detail, detailError, actionError, close } = useInbox();
  return (
    <section aria-labelledby="detail-heading" className="assignment-detail">
      <button type="button" className="button-plain" onClick={close}>
        {t('inbox.back')}
      </button>
      {detailError && (
        <div role="alert" className="notice notice-error">
          <p>{errorText(t, detailError, { serverMessage: true })}</p>
        </div>
      )}
      {!detail && !detailError && <p aria-live="polite">{t('inbox.loadingDetail')}</p>}
      {detail && <Detail a={detail.assignment} offline={detail.offline} />}
      {!detail && actionError && <ActionError />}
    </section>
  );
}

function Detail({ a, offline }: { a: Assignment; offline: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <h2 id="detail-heading">
        {a.client.givenName} {a.client.familyName} <span className="detail-pnr">{formatPersonnummer(a.client.personnummer)}</span>
      </h2>
      <JournalLink clientId={a.clientId} />
      <ReportDeviationLink unitId={a.unitId} clientId={a.clientId} assignmentId={a.id} />
      {offline && (
        <p role="status" className="notice">
          {t('inbox.offlineCopy')}
        </p>
      )}
      <DetailRefreshed />
      <ChangeNotice a={a} />
      <dl className="detail-facts">
        <dt>{t('inbox.field.status')}</dt>
        <dd>
          <span className={`status status-${a.status}`}>{t(`inbox.status.${a.status}`)}</span>
          {a.status === 'cancellation_requested' && <> {t('inbox.cancellationWaiting')}</>}
        </dd>
        <dt>{t('inbox.field.unit')}</dt>
        <dd>{a.unitName}</dd>
        <DistributionFacts a={a} />
        <dt>{t('inbox.field.decision')}</dt>
        <dd>
          {a.decision.reference}, {a.decision.date}
        </dd>
        <dt>{t('inbox.field.period')}</dt>
        <dd>
          {a.startDate} – {a.endDate ?? t('inbox.untilFurther')}
        </dd>
        <dt>{t('inbox.field.executionDate')}</dt>
        <dd>{a.executionDate ?? t('inbox.notExecuted')}</dd>
        <dt>{t('inbox.field.received')}</dt>
        <dd>{swedishDateTime(a.receivedAt)}</dd>
        {a.cancellation && (
          <>
            <dt>{t('inbox.field.cancellation')}</dt>
            <dd>{a.cancellation.reason}</dd>
          </>
        )}
        {a.pauses.length > 0 && (
          <>
            <dt>{t('inbox.field.pauses')}</dt>
            <dd>
              {a.pauses.map((p, i) => (
                <div key={i}>
                  {p.from} – {p.to ?? t('inbox.ongoing')}: {p.reason}
                </div>
              ))}
            </dd>
          </>
        )}
        {a.registrations.length > 0 && (
          <>
            <dt>{t('inbox.field.registrations')}</dt>
            <dd>
              {a.registrations.map((r, i) => (
                <div key={i}>
                  {t(`inbox.registration.${r.kind}`)}: {r.from} – {r.to}
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
      <h3>{t('inbox.services')}</h3>
      <ul className="detail-services">
        {a.services.map((s, i) => (
          <li key={i}>
            {s.code ? `[${s.code}] ` : ''}
            {s.name}: {t(s.per === 'week' ? 'inbox.hoursPerWeek' : 'inbox.hoursPerMonth', { hours: String(s.grantedHours).replace('.', ',') })}
          </li>
        ))}
      </ul>
      {a.freeText && (
        <>
          <h3>{t('inbox.freeText')}</h3>
          <p className="detail-freetext">{a.freeText}</p>
        </>
      )}
      <ActionOutcome assignmentId={a.id} />
      <AssignmentActions a={a} error={<ActionError />} />
      <ThreadsPanel unitId={a.unitId} clientId={a.clientId} assignmentId={a.id} />
      <h3>{t('inbox.history')}</h3>
      <ol className="detail-history" aria-label={t('inbox.history')}>
        {a.history.map((h) => (
          <li key={h.id}>
            <span className="history-when">{swedishDateTime(h.at)}</span> <strong>{HISTORY_ACTION_LABELS[h.action]}</strong> –{' '}
            {h.actor.name}, {h.actor.title}
            {detailText(h.details) && <span className="history-details"> ({detailText(h.details)})</span>}
          </li>
        ))}
      </ol>
    </>
  );
}

const DETAIL_LABELS: Record<string, string> = {
  executionDate: 'verkställighetsdatum',
  previousExecutionDate: 'tidigare verkställighetsdatum',
  from: 'från',
  to: 'till',
  reason: 'orsak',
  message: 'meddelande',
  endDate: 'slutdatum',
  startDate: 'startdatum',
  decisionReference: 'beslut',
};
function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .filter(([k, v]) => k in DETAIL_LABELS && (typeof v === 'string' || typeof v === 'number'))
    .map(([k, v]) => `${DETAIL_LABELS[k]}: ${String(v)}`)
    .join(', ');
}

/** The server's refusal, as it came, with a way to fetch the assignment as it now is. */
function ActionError() {
  const { t } = useTranslation();
  const { actionError, openId, open } = useInbox();
  if (!actionError) return null;
  return (
    <div role="alert" className="notice notice-error action-error">
      <p>{errorText(t, actionError, { serverMessage: true })}</p>
      {openId && (
        <button type="button" onClick={() => void open(openId)}>
          {t('inbox.reload')}
        </button>
      )}
    </div>
  );
}
