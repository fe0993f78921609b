import type { TFunction } from 'i18next';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultExecutionDate, offeredActions, swedishDate } from '#contract';
import type { Assignment, DistributionTarget, ProviderAction, ProviderActionType, UnitStaffMember } from '#contract';
import { DateField } from '../../components/DateField';
import { errorText } from '../../components/error-text';
import { distributionTargets, staffOfUnit } from './assignments-actions';
import { useInbox } from './inbox-store';

/**
 * The actions on an open assignment (docs/assignments.md, "Guard rails"): only what its status and
 * kind of service allow (offeredActions, shared with the server's rules; the server still decides),
 * the next expected step as the one primary button, the others quiet; each action's form with
 * dates that default to what the rules accept, a required reason to end it and a confirmation step.
 */
export function AssignmentActions({ a, error }: { a: Assignment; error: ReactNode }) {
  const { t } = useTranslation();
  const { act, busy } = useInbox();
  const [form, setForm] = useState<ProviderActionType | null>(null);
  const { actions, primary, executableFrom } = offeredActions(a, swedishDate());
  // After an action the button pressed is gone (the status moved on): focus goes to the next step's
  // button, else the actions' heading or the final line — never to the page body.
  const [done, setDone] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const final = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (done === 0) return;
    (box.current?.querySelector<HTMLElement>('.action-primary:not(:disabled)') ?? box.current?.querySelector<HTMLElement>('h3') ?? final.current)?.focus();
  }, [done, a.status]);
  const after = (ok: boolean) => ok && setDone((n) => n + 1);
  if (actions.length === 0)
    return (
      <p ref={final} tabIndex={-1} className="detail-final">
        {t('inbox.final')}
      </p>
    );
  return (
    <div className="detail-actions" ref={box}>
      <h3 tabIndex={-1}>{t('inbox.actions')}</h3>
      {primary && <p className="next-step">{t('inbox.nextStep', { action: t(`inbox.action.${primary}`) })}</p>}
      <div className="action-buttons">
        {actions.map((type) => {
          const direct = type === 'confirm' || type === 'confirm_cancellation';
          return (
            <button
              key={type}
              type="button"
              disabled={busy}
              aria-expanded={direct ? undefined : form === type}
              className={type === primary ? 'action-primary' : 'button-quiet'}
              onClick={() => (direct ? void act({ type } as ProviderAction).then(after) : setForm(form === type ? null : type))}
            >
              {actionLabel(t, type, a)}
            </button>
          );
        })}
      </div>
      {executableFrom && <p className="form-hint">{t('inbox.executableFrom', { date: executableFrom })}</p>}
      {/* The status may move on while a form is open (the detail follows the sync): offer only what it now allows. */}
      {form && actions.includes(form) && (
        <ActionForm
          key={form}
          type={form}
          a={a}
          onDone={(ok) => {
            setForm(null);
            after(ok);
          }}
        />
      )}
      {error}
    </div>
  );
}

const DATE_LABEL: Partial<Record<ProviderActionType, string>> = {
  execute: 'inbox.form.executionDate',
  pause: 'inbox.form.pauseFrom',
  resume: 'inbox.form.resumeTo',
  end: 'inbox.form.endDate',
  register_absence: 'inbox.form.from',
  register_presence: 'inbox.form.from',
};

/** The earliest and latest day the rules accept for an action's (first) date; the server checks them again. */
function dateBounds(type: ProviderActionType, a: Assignment, today: string): { min?: string; max?: string } {
  const openPause = a.pauses.at(-1)?.to === null ? a.pauses.at(-1) : undefined;
  switch (type) {
    case 'execute':
      return { min: a.startDate, max: today };
    case 'pause':
      return { ...(a.executionDate ? { min: a.executionDate } : {}), max: today };
    case 'resume':
      return { ...(openPause ? { min: openPause.from } : {}), max: today };
    case 'end':
      return { ...((openPause?.from ?? a.executionDate) ? { min: openPause?.from ?? a.executionDate! } : {}), max: today };
    case 'register_absence':
    case 'register_presence':
      return { ...(a.executionDate ? { min: a.executionDate } : {}), ...(a.endDate ? { max: a.endDate } : {}) };
    default:
      return {};
  }
}

/** The button's name: "Verkställ" until the assignment is executed; after that the same action only changes the date. */
const actionLabel = (t: TFunction, type: ProviderActionType, a: Assignment): string =>
  type === 'execute' && a.executionDate !== null ? t('inbox.action.changeExecutionDate') : t(`inbox.action.${type}`);

function ActionForm({ type, a, onDone }: { type: ProviderActionType; a: Assignment; onDone: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const { act, busy } = useInbox();
  const today = swedishDate();
  const [date, setDate] = useState(type === 'execute' ? defaultExecutionDate(a.startDate, today) : today);
  const [to, setTo] = useState(today);
  // No reason is proposed: the user writes what happened (a pre-filled "Sjukhusvistelse" got sent unread).
  const [text, setText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [distribution, setDistribution] = useState<{ unitId: string; staffIds: string[] }>({
    unitId: a.distributedTo?.unitId ?? a.unitId,
    staffIds: a.distributedTo?.staffIds ?? [],
  });
  const [staffShown, setStaffShown] = useState<UnitStaffMember[] | null>(null);
  const bounds = dateBounds(type, a, today);

  const action = (): ProviderAction => {
    switch (type) {
      case 'execute':
        return { type, executionDate: date };
      case 'distribute':
        // Only people the form shows for the chosen unit (a person of another unit would be refused).
        return { type, unitId: distribution.unitId, staffIds: distribution.staffIds.filter((id) => staffShown?.some((p) => p.staffId === id)) };
      case 'report':
        return { type, message: text };
      case 'pause':
        return { type, from: date, reason: text };
      case 'resume':
        return { type, to: date };
      case 'end':
        return { type, endDate: date, reason: text };
      case 'register_absence':
      case 'register_presence':
        return { type, from: date, to };
      default:
        return { type } as ProviderAction;
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Ending is final: ask once more, naming what ends and when.
    if (type === 'end' && !confirming) return setConfirming(true);
    if (await act(action())) onDone(true);
    else setConfirming(false);
  };

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} aria-label={actionLabel(t, type, a)}>
      {type === 'distribute' && <DistributeFields a={a} value={distribution} onChange={setDistribution} onStaff={setStaffShown} />}
      {DATE_LABEL[type] && (
        <DateField label={t(DATE_LABEL[type])} required value={date} min={bounds.min} max={bounds.max} disabled={confirming} onChange={setDate} />
      )}
      {(type === 'register_absence' || type === 'register_presence') && (
        <DateField label={t('inbox.form.to')} required value={to} min={date} max={a.endDate ?? undefined} onChange={setTo} />
      )}
      {(type === 'report' || type === 'pause' || type === 'end') && (
        <label className="form-text">
          {t(type === 'report' ? 'inbox.form.message' : type === 'end' ? 'inbox.form.endReason' : 'inbox.form.reason')}
          <textarea
            required
            value={text}
            disabled={confirming}
            placeholder={type === 'pause' ? t('inbox.form.pauseReasonHint') : undefined}
            onChange={(e) => setText(e.target.value)}
            rows={type === 'pause' ? 2 : 3}
          />
        </label>
      )}
      {confirming ? (
        <EndConfirmation a={a} date={date} busy={busy} onBack={() => setConfirming(false)} />
      ) : (
        <div className="form-buttons">
          <button type="submit" className="action-primary" disabled={busy || (type === 'distribute' && staffShown === null)}>
            {t(type === 'end' ? 'inbox.form.endContinue' : 'inbox.form.submit', { action: actionLabel(t, type, a) })}
          </button>
          <button type="button" className="button-quiet form-close" onClick={() => onDone(false)}>
            {t('inbox.form.cancel')}
          </button>
        </div>
      )}
    </form>
  );
}

/** The confirmation step of Avsluta: what ends, from when, that it cannot be undone; focus on the choice. */
function EndConfirmation({ a, date, busy, onBack }: { a: Assignment; date: string; busy: boolean; onBack: () => void }) {
  const { t } = useTranslation();
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => yes.current?.focus(), []);
  return (
    <div role="alertdialog" aria-modal="false" aria-labelledby="end-confirm-text" className="end-confirm">
      <p id="end-confirm-text">{t('inbox.form.endConfirm', { name: `${a.client.givenName} ${a.client.familyName}`, date })}</p>
      <div className="form-buttons">
        <button ref={yes} type="submit" className="button-danger" disabled={busy}>
          {t('inbox.form.endYes')}
        </button>
        <button type="button" className="button-quiet" onClick={onBack}>
          {t('inbox.form.endNo')}
        </button>
      </div>
    </div>
  );
}

/** Fördela: only the user's units that provide the assignment's kind of service (the server says which), then their staff. */
function DistributeFields({
  a,
  value,
  onChange,
  onStaff,
}: {
  a: Assignment;
  value: { unitId: string; staffIds: string[] };
  onChange: (v: { unitId: string; staffIds: string[] }) => void;
  onStaff: (staff: UnitStaffMember[] | null) => void;
}) {
  const { t } = useTranslation();
  const [targets, setTargets] = useState<DistributionTarget[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [unitStaff, setUnitStaff] = useState<{ unitId: string; staff: UnitStaffMember[] } | null>(null);
  const staff = unitStaff?.unitId === value.unitId ? unitStaff.staff : null;
  useEffect(() => {
    let live = true;
    void distributionTargets(a.id).then((r) => {
      if (!live) return;
      if (!r.ok) return setFailed(errorText(t, r.error, { serverMessage: true }));
      setTargets(r.value);
      // The current unit may no longer be a target (it provides the kind no more): start from the first that is.
      if (!r.value.some((u) => u.unitId === value.unitId) && r.value[0]) onChange({ unitId: r.value[0].unitId, staffIds: [] });
    });
    return () => {
      live = false;
    };
    // The targets of this assignment, once per form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [a.id]);
  useEffect(() => {
    let live = true;
    onStaff(null);
    void staffOfUnit(value.unitId).then((r) => {
      if (!live) return;
      const list = r.ok ? r.value : [];
      setUnitStaff({ unitId: value.unitId, staff: list });
      onStaff(list);
    });
    return () => {
      live = false;
    };
  }, [value.unitId, onStaff]);

  if (failed) return <p role="alert" className="notice notice-error">{failed}</p>;
  if (!targets) return <span>{t('inbox.form.unitsLoading')}</span>;
  if (targets.length === 0) return <p>{t('inbox.form.noTargets', { kind: t(`inbox.kind.${a.serviceKind}`).toLowerCase() })}</p>;
  return (
    <>
      <label>
        {t('inbox.form.unit')}
        <select value={value.unitId} onChange={(e) => onChange({ unitId: e.target.value, staffIds: [] })}>
          {targets.map((u) => (
            <option key={u.unitId} value={u.unitId}>
              {u.name}
            </option>
          ))}
        </select>
        <span className="form-hint">{t('inbox.form.unitHint', { kind: t(`inbox.kind.${a.serviceKind}`).toLowerCase() })}</span>
      </label>
      <fieldset className="staff-picker">
        <legend>{t('inbox.form.staff')}</legend>
        {staff === null && <span>{t('inbox.form.staffLoading')}</span>}
        {staff?.length === 0 && <span>{t('inbox.form.staffNone')}</span>}
        {staff?.map((p) => (
          <label key={p.staffId} className="staff-option">
            <input
              type="checkbox"
              checked={value.staffIds.includes(p.staffId)}
              onChange={(e) =>
                onChange({ ...value, staffIds: e.target.checked ? [...value.staffIds, p.staffId] : value.staffIds.filter((x) => x !== p.staffId) })
              }
            />
            {p.name}, {p.title}
          </label>
        ))}
      </fieldset>
    </>
  );
}
