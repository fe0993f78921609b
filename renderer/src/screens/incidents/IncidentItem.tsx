import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPersonnummer, INCIDENT_CHANNEL_SV, IncidentChannel, swedishDateTime, swedishLocalDateTime, type AppError, type Incident } from '#contract';
import { DateTimeField } from '../../components/DateTimeField';
import { countdown } from './countdown';
import { closeIncident, openIncident, recordMunicipalityReport, type IncidentAnswer } from './incidents-actions';

const field = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();

interface Props {
  incident: Incident;
  /** The server's clock, as the screen keeps it. */
  now: number;
  administrator: boolean;
  onError: (e: AppError | null) => void;
  onChanged: () => Promise<void>;
}

/**
 * One incident: status, what, when discovered, the deadline with the time left (or how long ago
 * it passed, marked in words and colour), the report to the municipality and the closing. Its
 * details (the clients named; opening them is logged) on request; the administrator's forms there.
 */
export function IncidentItem({ incident: i, now, administrator, onError, onChanged }: Props) {
  const { t } = useTranslation();
  const [detail, setDetail] = useState<Incident | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const left = countdown(i.deadlineAt, now);
  const titleId = `incident-${i.id}`;

  const toggle = async () => {
    if (detail) return setDetail(null);
    onError(null);
    const r = await openIncident(i.id);
    if (r.ok) setDetail(r.value);
    else onError(r.error);
  };
  const act = async (e: FormEvent<HTMLFormElement>, call: (f: HTMLFormElement) => IncidentAnswer, message: string) => {
    e.preventDefault();
    onError(null);
    const r = await call(e.currentTarget);
    if (!r.ok) return onError(r.error);
    setDetail(r.value);
    setDone(message);
    await onChanged();
  };
  const municipality = (e: FormEvent<HTMLFormElement>) =>
    act(e, (f) => recordMunicipalityReport({ id: i.id, reportedAt: field(f, 'reportedAt'), channel: IncidentChannel.parse(field(f, 'channel')), reference: field(f, 'reference') }), t('incidents.municipalityRecorded'));
  const close = (e: FormEvent<HTMLFormElement>) => act(e, (f) => closeIncident(i.id, field(f, 'comment')), t('incidents.closed'));

  const hidden = detail?.clients && detail.clients.length < detail.clientCount;
  return (
    <li className={`incident incident-${i.status}${i.overdue ? ' incident-overdue' : ''}`} aria-labelledby={titleId}>
      <h4 id={titleId}>
        <span className="incident-status">{i.overdue ? t('incidents.overdue', { at: swedishDateTime(i.deadlineAt), ago: left.text }) : t(`incidents.status.${i.status}`)}</span>
        <span className="incident-when">{t('incidents.incidentLabel', { at: swedishDateTime(i.discoveredAt) })}</span>
      </h4>
      <p className="incident-what">{i.what}</p>
      <p className="incident-meta">
        {t('incidents.reportedBy', { name: i.reportedBy, at: swedishDateTime(i.reportedAt) })}
        {i.systems && <> · {t('incidents.systemsLine', { systems: i.systems })}</>}
        {i.clientCount > 0 && <> · {t('incidents.clients', { count: i.clientCount })}</>}
      </p>
      {i.status === 'open' && !i.overdue && (
        <p className="incident-deadline">
          {t('incidents.deadline', { at: swedishDateTime(i.deadlineAt) })} · <strong>{t('incidents.left', { left: left.text })}</strong>
        </p>
      )}
      {i.municipality && (
        <p>
          {t('incidents.municipalityLine', { at: swedishDateTime(i.municipality.at), channel: INCIDENT_CHANNEL_SV[i.municipality.channel], by: i.municipality.by })}
          {i.municipality.late && <strong className="incident-late"> ({t('incidents.late')})</strong>}
          {i.municipality.reference && <> · {t('incidents.reference', { reference: i.municipality.reference })}</>}
        </p>
      )}
      {i.closed && (
        <p>
          {t('incidents.closedLine', { at: swedishDateTime(i.closed.at), by: i.closed.by })}
          {i.closed.comment && <>: {i.closed.comment}</>}
        </p>
      )}
      <button type="button" className="button-quiet" aria-expanded={detail !== null} aria-controls={`${titleId}-detail`} onClick={() => void toggle()}>
        {detail ? t('incidents.hide') : t('incidents.show')}
      </button>
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {detail && (
        <div id={`${titleId}-detail`} className="incident-detail">
          <h5>{t('incidents.detailClients')}</h5>
          {detail.clients && detail.clients.length > 0 ? (
            <ul>
              {detail.clients.map((c) => (
                <li key={c.id}>
                  {c.name}, {formatPersonnummer(c.personnummer)}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('incidents.noClients')}</p>
          )}
          {hidden && <p>{t('incidents.hiddenClients')}</p>}
          {administrator && detail.status === 'open' && (
            <form aria-label={t('incidents.municipalityHeading')} onSubmit={(e) => void municipality(e)}>
              <DateTimeField label={t('incidents.municipalityAt')} name="reportedAt" required defaultValue={swedishLocalDateTime(new Date(now))} />
              <label>
                {t('incidents.channel')}
                <select name="channel" required defaultValue="phone">
                  {IncidentChannel.options.map((c) => (
                    <option key={c} value={c}>
                      {INCIDENT_CHANNEL_SV[c]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('incidents.referenceLabel')}
                <input name="reference" maxLength={500} />
              </label>
              <button type="submit">{t('incidents.recordMunicipality')}</button>
            </form>
          )}
          {administrator && detail.status === 'reported' && (
            <form aria-label={t('incidents.closeHeading')} onSubmit={(e) => void close(e)}>
              <label>
                {t('incidents.closeComment')}
                <input name="comment" maxLength={2000} />
              </label>
              <button type="submit">{t('incidents.close')}</button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}
