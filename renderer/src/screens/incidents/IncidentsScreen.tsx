import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { swedishLocalDateTime, type AppError, type IncidentList, type Result } from '#contract';
import { DateTimeField } from '../../components/DateTimeField';
import { errorText } from '../../components/error-text';
import { IncidentItem } from './IncidentItem';
import { listIncidents, reportIncident } from './incidents-actions';
import { useIncidents } from './incidents-store';
import './incidents.css';

const field = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();

/**
 * Säkerhetsincidenter (docs/incidents.md): anyone reports an incident; the list shows her own
 * reports, or, to the administrator, every report of the organisation with the 48-hour countdown
 * and the forms to record the report to the municipality and to close. Online only: a report that
 * cannot reach the server is said to be unsent, and what was typed stays in the form.
 */
export function IncidentsScreen() {
  const { t } = useTranslation();
  const [list, setList] = useState<IncidentList | null>(null);
  /** Server time minus workstation time when the list came: the countdown runs on the server's clock. */
  const [skew, setSkew] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [defaultAt] = useState(() => swedishLocalDateTime(new Date()));

  const show = useCallback((r: Result<IncidentList>) => {
    if (!r.ok) return setError(r.error);
    setSkew(Date.parse(r.value.now) - Date.now());
    setList(r.value);
    useIncidents.getState().set(r.value);
  }, []);
  const load = useCallback(() => listIncidents().then(show), [show]);
  useEffect(() => {
    void listIncidents().then(show);
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [show]);

  const report = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const f = e.currentTarget;
    const personnummer = field(f, 'personnummer').split(/[\s,;]+/).filter(Boolean);
    const r = await reportIncident({ what: field(f, 'what'), discoveredAt: field(f, 'discoveredAt'), systems: field(f, 'systems'), personnummer });
    if (!r.ok) return setError(r.error);
    f.reset();
    setDone(t('incidents.reported'));
    await load();
  };

  const overdue = list?.incidents.filter((i) => i.overdue).length ?? 0;
  return (
    <section aria-labelledby="incidents-h" className="incidents">
      <h2 id="incidents-h">{t('incidents.heading')}</h2>
      <p>{t('incidents.intro')}</p>
      <p className="incidents-online">{t('incidents.online')}</p>
      <IncidentError error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}

      <h3 id="incident-report-h">{t('incidents.reportHeading')}</h3>
      <form aria-labelledby="incident-report-h" className="incident-form" onSubmit={(e) => void report(e)}>
        <label>
          {t('incidents.what')}
          <textarea name="what" required rows={4} maxLength={4000} />
        </label>
        <DateTimeField label={t('incidents.discoveredAt')} name="discoveredAt" required defaultValue={defaultAt} />
        <label>
          {t('incidents.systems')}
          <input name="systems" maxLength={500} />
        </label>
        <label>
          {t('incidents.personnummer')}
          <textarea name="personnummer" rows={2} inputMode="numeric" />
        </label>
        <button type="submit">{t('incidents.report')}</button>
      </form>

      {list && (
        <>
          <h3>{t(`incidents.${list.scope}`)}</h3>
          {overdue > 0 && list.scope === 'organisation' && (
            <p role="alert" className="notice notice-error">
              {t('incidents.overdueCount', { count: overdue })}
            </p>
          )}
          {list.incidents.length === 0 && <p>{t('incidents.none')}</p>}
          <ul className="incident-list" aria-label={t(`incidents.${list.scope}`)}>
            {list.incidents.map((i) => (
              <IncidentItem key={i.id} incident={i} now={now + skew} administrator={list.scope === 'organisation'} onError={setError} onChanged={load} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/**
 * A refusal in Swedish: offline said plainly; invalid input with the schema's own messages (the
 * contract's are Swedish); otherwise the server's reason, which it gives for every refusal here.
 */
export function IncidentError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  const issues = (error.details as { issues?: { message: string }[] } | undefined)?.issues?.map((i) => i.message) ?? [];
  let text: string;
  if (error.code === 'SERVER_UNREACHABLE') text = t('incidents.offline');
  else if (issues.length > 0) text = `${t('errors.VALIDATION')} ${[...new Set(issues)].join(' ')}`;
  else text = errorText(t, error, { serverMessage: ['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'].includes(error.code) });
  return (
    <p role="alert" className="notice notice-error">
      {text}
    </p>
  );
}
