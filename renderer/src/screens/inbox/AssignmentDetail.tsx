import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPersonnummer, swedishDate, swedishDateTime } from '#contract';
import { HISTORY_ACTION_LABELS, type Assignment, type AssignmentStatus, type ProviderActionType, type UnitStaffMember } from '#contract';
import { api } from '../../bridge';
import { useSession } from '../../state/session-store';
import { ThreadsPanel } from '../messages/ThreadsPanel';
import { ActionOutcome } from './ActionOutcome';
import { ChangeNotice, DetailRefreshed } from './ChangeNotice';
import { useInbox } from './inbox-store';

/** What the provider may do in each status (the server decides; this only chooses what to offer). */
const ALLOWED: Record<AssignmentStatus, ProviderActionType[]> = {
  new: ['confirm', 'report'],
  confirmed: ['execute', 'distribute', 'report'],
  executed: ['execute', 'distribute', 'pause', 'end', 'register_absence', 'register_presence', 'report'],
  paused: ['resume', 'distribute', 'end', 'register_absence', 'register_presence', 'report'],
  cancellation_requested: ['confirm_cancellation', 'report'],
  cancelled: [],
  ended: [],
};
/** Actions without fields: one click. */
const DIRECT: ProviderActionType[] = ['confirm', 'confirm_cancellation'];

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
          <p>{detailError.message || t(`errors.${detailError.code}`)}</p>
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
      <Actions a={a} />
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

function Actions({ a }: { a: Assignment }) {
  const { t } = useTranslation();
  const { act, busy } = useInbox();
  const [form, setForm] = useState<ProviderActionType | null>(null);
  const allowed = ALLOWED[a.status];
  if (allowed.length === 0) return <p className="detail-final">{t('inbox.final')}</p>;
  return (
    <div className="detail-actions">
      <h3>{t('inbox.actions')}</h3>
      <div className="action-buttons">
        {allowed.map((type) => (
          <button
            key={type}
            type="button"
            disabled={busy}
            aria-expanded={DIRECT.includes(type) ? undefined : form === type}
            className={form === type ? 'button-secondary-dark' : undefined}
            onClick={() => (DIRECT.includes(type) ? void act({ type } as never) : setForm(form === type ? null : type))}
          >
            {t(`inbox.action.${type}`)}
          </button>
        ))}
      </div>
      {/* The status may move on while a form is open (the detail follows the sync): offer only what it now allows. */}
      {form && allowed.includes(form) && <ActionForm key={form} type={form} a={a} onDone={() => setForm(null)} />}
      <ActionError />
    </div>
  );
}

/** The server's refusal, as it came, with a way to fetch the assignment as it now is. */
function ActionError() {
  const { t } = useTranslation();
  const { actionError, openId, open } = useInbox();
  if (!actionError) return null;
  return (
    <div role="alert" className="notice notice-error action-error">
      <p>{actionError.message || t(`errors.${actionError.code}`)}</p>
      {openId && (
        <button type="button" onClick={() => void open(openId)}>
          {t('inbox.reload')}
        </button>
      )}
    </div>
  );
}

function ActionForm({ type, a, onDone }: { type: ProviderActionType; a: Assignment; onDone: () => void }) {
  const { t } = useTranslation();
  const { act, busy } = useInbox();
  const units = useSession((s) => s.session?.units ?? []);
  const today = swedishDate();
  const [date, setDate] = useState(today);
  const [to, setTo] = useState(today);
  const [text, setText] = useState(type === 'pause' ? t('inbox.defaultPauseReason') : '');
  const [unitId, setUnitId] = useState(a.distributedTo?.unitId ?? a.unitId);
  // The chosen unit's staff, once they have come: null (loading) until the list for this unit is here.
  const [unitStaff, setUnitStaff] = useState<{ unitId: string; staff: UnitStaffMember[] } | null>(null);
  const staff = unitStaff?.unitId === unitId ? unitStaff.staff : null;
  const [staffIds, setStaffIds] = useState<string[]>(a.distributedTo?.unitId === unitId ? a.distributedTo.staffIds : []);
  useEffect(() => {
    if (type !== 'distribute') return;
    let live = true;
    void api.inbox.staff({ unitId }).then((r) => live && setUnitStaff({ unitId, staff: r.ok ? r.value : [] }));
    return () => {
      live = false;
    };
  }, [type, unitId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const action =
      type === 'execute'
        ? { type, executionDate: date }
        : type === 'distribute'
          ? { type, unitId, staffIds: staffIds.filter((id) => staff?.some((p) => p.staffId === id)) }
          : type === 'report'
            ? { type, message: text }
            : type === 'pause'
              ? { type, from: date, reason: text }
              : type === 'resume'
                ? { type, to: date }
                : type === 'end'
                  ? { type, endDate: date }
                  : type === 'register_absence' || type === 'register_presence'
                    ? { type, from: date, to }
                    : { type };
    if (await act(action as never)) onDone();
  };
  const dateLabel: Partial<Record<ProviderActionType, string>> = {
    execute: 'inbox.form.executionDate',
    pause: 'inbox.form.pauseFrom',
    resume: 'inbox.form.resumeTo',
    end: 'inbox.form.endDate',
    register_absence: 'inbox.form.from',
    register_presence: 'inbox.form.from',
  };
  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} aria-label={t(`inbox.action.${type}`)}>
      {type === 'distribute' && (
        <label>
          {t('inbox.form.unit')}
          <select value={unitId} onChange={(e) => setUnitId(e.target.value)}>
            {units.map((u) => (
              <option key={u.unitId} value={u.unitId}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {type === 'distribute' && (
        <fieldset className="staff-picker">
          <legend>{t('inbox.form.staff')}</legend>
          {staff === null && <span>{t('inbox.form.staffLoading')}</span>}
          {staff?.length === 0 && <span>{t('inbox.form.staffNone')}</span>}
          {staff?.map((p) => (
            <label key={p.staffId} className="staff-option">
              <input
                type="checkbox"
                checked={staffIds.includes(p.staffId)}
                onChange={(e) => setStaffIds(e.target.checked ? [...staffIds, p.staffId] : staffIds.filter((x) => x !== p.staffId))}
              />
              {p.name}, {p.title}
            </label>
          ))}
        </fieldset>
      )}
      {dateLabel[type] && (
        <label>
          {t(dateLabel[type])}
          <input type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
      )}
      {(type === 'register_absence' || type === 'register_presence') && (
        <label>
          {t('inbox.form.to')}
          <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      )}
      {(type === 'report' || type === 'pause') && (
        <label>
          {t(type === 'report' ? 'inbox.form.message' : 'inbox.form.reason')}
          <textarea required value={text} onChange={(e) => setText(e.target.value)} rows={type === 'report' ? 3 : 1} />
        </label>
      )}
      <div className="form-buttons">
        <button type="submit" disabled={busy}>
          {t('inbox.form.submit', { action: t(`inbox.action.${type}`) })}
        </button>
        <button type="button" className="button-plain" onClick={onDone}>
          {t('inbox.form.cancel')}
        </button>
      </div>
    </form>
  );
}
