import type { TFunction } from 'i18next';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, AppInfo, Result, SupportColleague, SupportOverview, SupportWorkstation } from '#contract';
import { loadAppInfo } from '../../state/app-info';
import { AdminError, Done } from '../admin/admin-notices';
import { loadColleagues, sendSupportMessage } from './support-actions';
import { ago, megabytes, problemsOf } from './support-status';
import './support.css';

/**
 * Support (docs/administration.md "Första linjens support"), offered to a superuser or an
 * administrator: her colleagues' workstations as they report themselves, why something failed
 * (codes with their Swedish explanations), and a support message to one of them. No client data:
 * the server sends none to this screen.
 */
export function SupportScreen() {
  const { t } = useTranslation();
  const [data, setData] = useState<SupportOverview | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const apply = useCallback((r: Result<SupportOverview>) => (r.ok ? setData(r.value) : setError(r.error)), []);
  const load = useCallback(async () => apply(await loadColleagues()), [apply]);
  useEffect(() => {
    void loadColleagues().then(apply);
  }, [apply]);

  const colleague = data?.colleagues.find((c) => c.staffId === chosen) ?? null;
  return (
    <section aria-labelledby="support-heading" className="support">
      <h2 id="support-heading">{t('support.heading')}</h2>
      <p>{t('support.intro')}</p>
      <ThisWorkstation />
      <AdminError error={error} />
      {!data && !error && <p>{t('support.loading')}</p>}
      {data && (
        <>
          <button type="button" className="button-quiet" onClick={() => void load()}>
            {t('support.retry')}
          </button>
          {data.colleagues.length === 0 ? (
            <p>{t('support.none')}</p>
          ) : (
            <ColleagueTable overview={data} onChoose={setChosen} chosen={chosen} />
          )}
          {colleague && <ColleagueDetail key={colleague.staffId} colleague={colleague} now={data.serverTime} />}
        </>
      )}
    </section>
  );
}

/**
 * The PC the screen runs on (the installed app): its version and when it last crashed — the time
 * of its newest local crash dump, never what is in it (main/electron/app-log.ts).
 */
function ThisWorkstation() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    let live = true;
    void loadAppInfo().then((r) => {
      if (live && r.ok) setInfo(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!info) return null;
  return (
    <section aria-labelledby="support-this-pc" className="support-this-pc">
      <h3 id="support-this-pc">{t('support.thisPc')}</h3>
      <p>{t('support.thisPcVersion', { version: info.version })}</p>
      <p>{info.lastCrashAt ? t('support.lastCrash', { at: new Date(info.lastCrashAt).toLocaleString('sv-SE') }) : t('support.noCrash')}</p>
    </section>
  );
}

/** Who needs help first: most problems, then those who reported, then the rest (the server's order: by name). */
function byNeed(t: TFunction, colleagues: SupportColleague[], now: string): SupportColleague[] {
  const need = (c: SupportColleague) => (c.workstations.length === 0 ? (c.units.length === 0 ? 1 : -1) : c.workstations.reduce((n, w) => n + problemsOf(t, w, now, c.units.length).length, 0));
  return colleagues.map((c) => ({ c, n: need(c) })).sort((a, b) => b.n - a.n).map(({ c }) => c);
}

function ColleagueTable({ overview, onChoose, chosen }: { overview: SupportOverview; onChoose: (id: string) => void; chosen: string | null }) {
  const { t } = useTranslation();
  const now = overview.serverTime;
  return (
    <table aria-label={t('support.table')}>
      <thead>
        <tr>
          {(['colleague', 'workstation', 'sync', 'queue', 'refusals', 'card', 'login', 'store', 'status'] as const).map((c) => (
            <th key={c} scope="col">
              {t(`support.col.${c}`)}
            </th>
          ))}
          <th scope="col">{t('support.col.action')}</th>
        </tr>
      </thead>
      <tbody>
        {byNeed(t, overview.colleagues, now).flatMap((c) => {
          const who = (
            <th scope="row">
              {c.name}
              <br />
              <span className="support-quiet">{c.title}</span>
            </th>
          );
          const show = (
            <td>
              <button type="button" className="button-quiet" aria-label={t('support.showLabel', { name: c.name })} aria-pressed={chosen === c.staffId} onClick={() => onChoose(c.staffId)}>
                {t('support.show')}
              </button>
            </td>
          );
          if (c.workstations.length === 0) {
            return [
              <tr key={c.staffId}>
                {who}
                <td colSpan={7}>{t('support.noReport')}</td>
                <td className={c.units.length === 0 ? 'support-bad' : undefined}>{c.units.length === 0 ? t('support.problems', { count: 1 }) : ''}</td>
                {show}
              </tr>,
            ];
          }
          return c.workstations.map((w) => (
            <tr key={`${c.staffId}-${w.workstationId}`}>
              {who}
              <WorkstationCells w={w} now={now} units={c.units.length} />
              {show}
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}

function WorkstationCells({ w, now, units }: { w: SupportWorkstation; now: string; units: number }) {
  const { t } = useTranslation();
  const problems = problemsOf(t, w, now, units);
  return (
    <>
      <td>
        {w.workstationName ?? w.workstationId.slice(0, 8)}
        <br />
        <span className="support-quiet">
          {t('support.version', { version: w.appVersion })}, {t('support.reported', { ago: ago(t, w.receivedAt, now) })}
        </span>
      </td>
      <td>
        {w.sync.outcome === 'error' ? t('support.syncError', { code: w.sync.code }) : w.sync.lastOkAt ? t('support.syncOk', { ago: ago(t, w.sync.lastOkAt, now) }) : t('support.syncNone')}
      </td>
      <td>
        {w.queue ? t('support.queue', { count: w.queue.count }) : t('support.unknown')}
        {w.queue?.oldestAt && (
          <>
            <br />
            <span className="support-quiet">{t('support.oldest', { ago: ago(t, w.queue.oldestAt, now) })}</span>
          </>
        )}
      </td>
      <td>{w.refusals ? w.refusals.count : t('support.unknown')}</td>
      <td>{w.card.service === 'unavailable' ? t('support.card.unavailable') : t(w.card.cardPresent ? 'support.card.ok' : 'support.card.noCard', { readers: w.card.readers })}</td>
      <td>{ago(t, w.loggedInAt, now)}</td>
      <td>
        {t(`support.storeState.${w.store.state}`)}
        {w.store.bytes !== null && `, ${megabytes(w.store.bytes)}`}
      </td>
      <td className={problems.length > 0 ? 'support-bad' : 'support-good'}>{problems.length > 0 ? t('support.problems', { count: problems.length }) : t('support.allGood')}</td>
    </>
  );
}

/** One colleague: her units, what failed on each workstation and why, and the support message. */
function ColleagueDetail({ colleague, now }: { colleague: SupportColleague; now: string }) {
  const { t } = useTranslation();
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    setDone(null);
    const r = await sendSupportMessage(colleague.staffId, { subject: String(f.get('subject') ?? ''), text: String(f.get('text') ?? '') });
    if (!r.ok) return setError(r.error);
    setDone(t('support.message.sent', { name: colleague.name }));
    form.reset();
  };
  const headingId = `support-colleague-${colleague.staffId}`;
  // Chosen in the table: the keyboard and the screen reader move to her part of the page.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby={headingId} className="support-detail">
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {colleague.name}
      </h3>
      <p>
        {t('support.detail.units')}: {colleague.units.length > 0 ? colleague.units.map((u) => u.name).join(', ') : t('support.detail.noUnits')}
      </p>
      <h4>{t('support.detail.why')}</h4>
      {colleague.workstations.length === 0 && <p>{t('support.noReport')}</p>}
      {colleague.workstations.length === 0 && colleague.units.length === 0 && <p className="support-bad">{t('support.problem.noUnit')}</p>}
      {colleague.workstations.map((w) => {
        const problems = problemsOf(t, w, now, colleague.units.length);
        return (
          <div key={w.workstationId}>
            <p className="support-quiet">{t('support.detail.workstation', { name: w.workstationName ?? w.workstationId.slice(0, 8) })}</p>
            {problems.length === 0 ? (
              <p>{t('support.detail.nothing')}</p>
            ) : (
              <ul aria-label={t('support.detail.why')}>
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      <h4>{t('support.message.heading')}</h4>
      <AdminError error={error} />
      <Done text={done} />
      {colleague.units.length === 0 && (
        <p role="alert" className="notice notice-error">
          {t('support.message.cannotArrive', { name: colleague.name })}
        </p>
      )}
      <form aria-label={t('support.message.heading')} onSubmit={(e) => void send(e)}>
        <label>
          {t('support.message.subject')}
          <input name="subject" required maxLength={200} defaultValue={t('support.message.defaultSubject')} />
        </label>
        <label>
          {t('support.message.text')}
          <textarea name="text" required rows={4} maxLength={10_000} />
        </label>
        <button type="submit" disabled={colleague.units.length === 0}>
          {t('support.message.submit')}
        </button>
      </form>
    </section>
  );
}
