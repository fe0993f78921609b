import type { OfficerApi } from './api';
import { CliError } from './commands';
import type { Out } from './format';

/**
 * `notice`: the municipality's notice on the board (docs/messages.md), e.g. a planned outage:
 *   notice --title "Planerat driftstopp" --text "…" --from 2026-12-03T08:00 --until 2026-12-13T15:00
 *          [--outage-start 2026-12-13T08:00 --outage-end 2026-12-13T15:00] [--unit UNIT_ID]
 * Times without an offset are this computer's local time. Without --unit: every unit.
 *   withdraw NOTICE_ID   (the id `notice` prints)
 */
export interface NoticeOptions {
  title?: string;
  text?: string;
  from?: string;
  until?: string;
  'outage-start'?: string;
  'outage-end'?: string;
  unit?: string;
}

const instant = (flag: string, value: string | undefined): string | null => {
  if (value === undefined) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`--${flag}: kan inte tolka tiden "${value}". Skriv t.ex. 2026-12-13T08:00.`);
  return d.toISOString();
};

export async function runNoticeCommand(api: OfficerApi, o: NoticeOptions, io: Out): Promise<void> {
  if (!o.title || !o.text || !o.from || !o.until) throw new CliError('notice behöver --title, --text, --from och --until.');
  const published = await api.notices.publish({
    title: o.title,
    text: o.text,
    showFrom: instant('from', o.from)!,
    showUntil: instant('until', o.until)!,
    outageStart: instant('outage-start', o['outage-start']),
    outageEnd: instant('outage-end', o['outage-end']),
    ...(o.unit ? { unitIds: [o.unit] } : {}),
  });
  io.out(`Meddelandet är publicerat på anslagstavlan för ${published.units} ${published.units === 1 ? 'enhet' : 'enheter'}.`);
  io.out(`Id ${published.noticeId} (återkalla: npm run officer -- withdraw ${published.noticeId})`);
}

/** `withdraw NOTICE_ID`: the notice leaves every unit's board at the workstations' next sync. */
export async function runWithdrawCommand(api: OfficerApi, id: string | undefined, io: Out): Promise<void> {
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) throw new CliError('withdraw behöver meddelandets id (det som notice skrev ut).');
  const done = await api.notices.withdraw(id);
  io.out(`Meddelandet är återkallat från anslagstavlan för ${done.units} ${done.units === 1 ? 'enhet' : 'enheter'}.`);
}
