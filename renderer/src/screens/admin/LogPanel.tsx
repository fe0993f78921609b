import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LOGGED_ACTION_LABELS_SV, LoggedAction, FINDING_VERDICT_LABELS_SV, formatPersonnummer, personnummerProblem, recordTypeSv, swedishDateTime, type AppError, type LogIntegrity, type LogRow, type LogSearch } from '#contract';
import { DateField } from '../../components/DateField';
import { exportLog, loadPeople, loadReviews as fetchReviews, printReview as printReviewPdf, sampleLog, saveReview, searchLog, verifyLog } from './admin-actions';
import { AdminError, Done } from './admin-notices';
import { LogTimeline } from './LogTimeline';

type Verdict = 'justified' | 'investigate' | '';
const field = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();
/** The folder of an exported file's path (Windows or POSIX separators). */
const folderOf = (file: string) => file.replace(/[\\/][^\\/]*$/, '');

/**
 * Access-log follow-up: a targeted search or a random sample, shown as a table (a verdict and
 * comment per row) or on a time axis, the review saved as a record (the server logs the search and
 * the review themselves), CSV and PDF export, the integrity check, and the documented reviews,
 * each printable as a PDF (every export is logged by the server).
 */
export function LogPanel() {
  const { t } = useTranslation();
  const [units, setUnits] = useState<{ id: string; name: string }[]>([]);
  const [query, setQuery] = useState<{ kind: 'search'; search: LogSearch } | { kind: 'sample'; sampleSize: number } | null>(null);
  const [rows, setRows] = useState<LogRow[]>([]);
  const [verdicts, setVerdicts] = useState<Record<string, { verdict: Verdict; comment: string }>>({});
  const [reviews, setReviews] = useState<{ id: string; at: string; reviewer: string; criteria: string; findings: number; toInvestigate: number }[]>([]);
  const [integrity, setIntegrity] = useState<LogIntegrity | 'running' | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [view, setView] = useState<'table' | 'timeline'>('table');
  const [pnrProblem, setPnrProblem] = useState<string | null>(null);
  const [searched, setSearched] = useState<string | null>(null);

  const loadReviews = useCallback(async () => {
    const r = await fetchReviews();
    if (r.ok) setReviews(r.value.reviews);
  }, []);
  useEffect(() => {
    void loadPeople().then((r) => r.ok && setUnits(r.value.units));
    void fetchReviews().then((r) => r.ok && setReviews(r.value.reviews));
  }, []);

  /** The search in words, as the screen shows it above the hits: "Sökte efter brukare med personnummer 19121212-1212; händelse Läsning." */
  const describe = (q: LogSearch): string => {
    const parts = [
      q.personnummer ? t('admin.log.searchedClient', { pnr: formatPersonnummer(q.personnummer.replace(/\D/g, '')) }) : null,
      q.actorHsaId ? t('admin.log.searchedActor', { hsaId: q.actorHsaId }) : null,
      q.unitId ? t('admin.log.searchedUnit', { unit: units.find((u) => u.id === q.unitId)?.name ?? q.unitId }) : null,
      q.from || q.to ? t('admin.log.searchedPeriod', { from: q.from ?? '…', to: q.to ?? '…' }) : null,
      q.actions?.length ? t('admin.log.searchedAction', { action: q.actions.map((a) => LOGGED_ACTION_LABELS_SV[a]).join(', ') }) : null,
    ].filter((p): p is string => p !== null);
    return parts.length ? t('admin.log.searched', { criteria: parts.join('; ') }) : t('admin.log.searchedAll');
  };
  const show = (found: LogRow[]) => {
    setRows(found);
    setVerdicts({});
  };
  const search = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const f = e.currentTarget;
    const s: LogSearch = {};
    const v = (k: string) => field(f, k) || undefined;
    // Say what is wrong with the personnummer instead of finding nothing (the server checks it again).
    const problem = v('personnummer') ? personnummerProblem(v('personnummer')!) : null;
    setPnrProblem(problem);
    if (problem) {
      f.querySelector<HTMLInputElement>('input[name="personnummer"]')?.focus();
      return;
    }
    if (v('actorHsaId')) s.actorHsaId = v('actorHsaId')!;
    if (v('personnummer')) s.personnummer = v('personnummer')!;
    if (v('unitId')) s.unitId = v('unitId')!;
    if (v('from')) s.from = v('from')!;
    if (v('to')) s.to = v('to')!;
    if (v('action')) s.actions = [LoggedAction.parse(v('action'))];
    const r = await searchLog(s);
    if (!r.ok) return setError(r.error);
    setQuery({ kind: 'search', search: s });
    setSearched(describe(s));
    show(r.value.rows);
  };
  const sample = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const size = Number(field(e.currentTarget, 'size'));
    const r = await sampleLog(size);
    if (!r.ok) return setError(r.error);
    setQuery({ kind: 'sample', sampleSize: size });
    setSearched(null);
    show(r.value.rows);
  };
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!query) return;
    setError(null);
    const f = e.currentTarget;
    const findings = rows.flatMap((row) => {
      const v = verdicts[row.id];
      return v?.verdict ? [{ logId: row.id, verdict: v.verdict, comment: v.comment }] : [];
    });
    const r = await saveReview({ ...(query.kind === 'search' ? { kind: 'search', search: query.search } : { kind: 'sample', sampleSize: query.sampleSize }), findings, summary: field(f, 'summary') });
    if (!r.ok) return setError(r.error);
    setDone(t('admin.log.saved'));
    f.reset();
    await loadReviews();
  };
  const exportAs = async (format: 'csv' | 'pdf') => {
    if (query?.kind !== 'search') return;
    setError(null);
    const r = await exportLog(format, query.search);
    if (r.ok) setDone(t('admin.log.csvSaved', { file: r.value.fileName, folder: folderOf(r.value.path) }));
    else setError(r.error);
  };
  const printReview = async (id: string) => {
    setError(null);
    const r = await printReviewPdf(id);
    if (r.ok) setDone(t('admin.log.reviewPdfSaved', { file: r.value.fileName, folder: folderOf(r.value.path) }));
    else setError(r.error);
  };
  const verify = async () => {
    setIntegrity('running');
    const r = await verifyLog();
    if (r.ok) setIntegrity(r.value);
    else {
      setIntegrity(null);
      setError(r.error);
    }
  };
  const set = (id: string, change: Partial<{ verdict: Verdict; comment: string }>) =>
    setVerdicts((all) => ({ ...all, [id]: { verdict: '', comment: '', ...all[id], ...change } }));

  return (
    <>
      <AdminError error={error} />
      <Done text={done} />
      <h3>{t('admin.log.searchHeading')}</h3>
      <form aria-label={t('admin.log.searchHeading')} onSubmit={(e) => void search(e)}>
        <label>
          {t('admin.log.actor')}
          <input name="actorHsaId" aria-describedby="log-actor-hint" />
          <span id="log-actor-hint" className="form-hint">
            {t('admin.log.actorHint')}
          </span>
        </label>
        <label>
          {t('admin.log.personnummer')}
          <input
            name="personnummer"
            inputMode="numeric"
            aria-invalid={pnrProblem ? true : undefined}
            aria-describedby={pnrProblem ? 'log-pnr-problem' : 'log-pnr-hint'}
            onChange={() => setPnrProblem(null)}
          />
          {pnrProblem ? (
            <span id="log-pnr-problem" role="alert" className="field-error">
              {pnrProblem}
            </span>
          ) : (
            <span id="log-pnr-hint" className="form-hint">
              {t('admin.log.personnummerHint')}
            </span>
          )}
        </label>
        <label>
          {t('admin.log.unit')}
          <select name="unitId">
            <option value="">{t('admin.log.anyUnit')}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <DateField label={t('admin.log.from')} name="from" />
        <DateField label={t('admin.log.to')} name="to" />
        <label>
          {t('admin.log.action')}
          <select name="action">
            <option value="">{t('admin.log.anyAction')}</option>
            {LoggedAction.options.map((a) => (
              <option key={a} value={a}>
                {LOGGED_ACTION_LABELS_SV[a]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('admin.log.search')}</button>
      </form>
      <h3>{t('admin.log.sampleHeading')}</h3>
      <form aria-label={t('admin.log.sampleHeading')} onSubmit={(e) => void sample(e)}>
        <label>
          {t('admin.log.sampleSize')}
          <input name="size" type="number" min={1} max={100} defaultValue={20} required />
        </label>
        <button type="submit">{t('admin.log.sample')}</button>
      </form>

      {query && (
        <>
          <h3>{t('admin.log.results')}</h3>
          <p role="status" className="log-searched">
            {searched} {t('admin.log.hits', { count: rows.length })}
          </p>
          {rows.length === 0 && <p>{t('admin.log.none')}</p>}
          {rows.length > 0 && (
            <div className="view-switch" role="group" aria-label={t('admin.log.view')}>
              <button type="button" className="button-quiet" aria-pressed={view === 'table'} onClick={() => setView('table')}>
                {t('admin.log.asTable')}
              </button>
              <button type="button" className="button-quiet" aria-pressed={view === 'timeline'} onClick={() => setView('timeline')}>
                {t('admin.log.asTimeline')}
              </button>
            </div>
          )}
          {rows.length > 0 && view === 'timeline' && <LogTimeline rows={rows} />}
          {rows.length > 0 && view === 'table' && (
            <table aria-label={t('admin.log.results')}>
              <thead>
                <tr>
                  <th scope="col">{t('admin.log.when')}</th>
                  <th scope="col">{t('admin.log.what')}</th>
                  <th scope="col">{t('admin.log.who')}</th>
                  <th scope="col">{t('admin.log.client')}</th>
                  <th scope="col">{t('admin.log.where')}</th>
                  <th scope="col">{t('admin.log.verdict')}</th>
                  <th scope="col">{t('admin.log.comment')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>{swedishDateTime(r.at)}</td>
                    <td>
                      {LOGGED_ACTION_LABELS_SV[r.action]}
                      {r.recordType && <span className="log-record-type"> · {recordTypeSv(r.recordType)}</span>}
                    </td>
                    <td>{r.actorName ?? r.actorHsaId ?? '–'}</td>
                    <td>{r.client ? `${r.client.name}${r.unitName ? `, ${r.unitName}` : ''}` : '–'}</td>
                    <td>{r.workstation ?? '–'}</td>
                    <td>
                      <select aria-label={t('admin.log.verdictLabel', { id: r.id })} value={verdicts[r.id]?.verdict ?? ''} onChange={(e) => set(r.id, { verdict: e.target.value as Verdict })}>
                        <option value="">{t('admin.log.notJudged')}</option>
                        <option value="justified">{FINDING_VERDICT_LABELS_SV.justified}</option>
                        <option value="investigate">{FINDING_VERDICT_LABELS_SV.investigate}</option>
                      </select>
                    </td>
                    <td>
                      <input aria-label={t('admin.log.commentLabel', { id: r.id })} value={verdicts[r.id]?.comment ?? ''} onChange={(e) => set(r.id, { comment: e.target.value })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form aria-label={t('admin.log.save')} onSubmit={(e) => void save(e)}>
            <label>
              {t('admin.log.summary')}
              <textarea name="summary" required rows={3} cols={60} />
            </label>
            <button type="submit">{t('admin.log.save')}</button>
            {query.kind === 'search' && (
              <>
                <button type="button" className="button-quiet" onClick={() => void exportAs('csv')}>
                  {t('admin.log.csv')}
                </button>
                <button type="button" className="button-quiet" onClick={() => void exportAs('pdf')}>
                  {t('admin.log.pdf')}
                </button>
              </>
            )}
          </form>
        </>
      )}

      <h3>{t('admin.log.integrityHeading')}</h3>
      <button type="button" onClick={() => void verify()} disabled={integrity === 'running'}>
        {t('admin.log.verify')}
      </button>
      {integrity === 'running' && <p aria-live="polite">{t('admin.log.verifying')}</p>}
      {integrity && integrity !== 'running' && (
        <p role="status" className={integrity.ok ? 'notice' : 'notice notice-error'}>
          {integrity.message}
        </p>
      )}

      <h3>{t('admin.log.reviewsHeading')}</h3>
      {reviews.length === 0 && <p>{t('admin.log.noReviews')}</p>}
      <ul aria-label={t('admin.log.reviewsHeading')}>
        {reviews.map((r) => (
          <li key={r.id}>
            {t('admin.log.reviewLine', { at: swedishDateTime(r.at), reviewer: r.reviewer, criteria: r.criteria, findings: r.findings, investigate: r.toInvestigate })}{' '}
            <button type="button" className="button-quiet" aria-label={t('admin.log.printReviewLabel', { at: swedishDateTime(r.at) })} onClick={() => void printReview(r.id)}>
              {t('admin.log.printReview')}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
