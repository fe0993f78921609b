import { AssignmentListQuery, OfficerAction, SERVICE_KIND_LABELS, SendAssignment, ServiceKind, type AssignmentListResponse, type GrantedService } from '#contract';
import { AppFailure, swedishDate } from '#contract';
import type { OfficerApi } from './api';
import { CliError, checked, printAssignment, printList, shortId, type Out } from './format';
import { MESSAGE_COMMANDS } from './messages';
import { PLAN_COMMANDS, runPlanCommand, type PlanCommandOptions } from './plans';

export { CliError };

const isPlanCommand = (c: string): c is (typeof PLAN_COMMANDS)[number] => (PLAN_COMMANDS as readonly string[]).includes(c);

export const COMMANDS = ['send', 'list', 'show', 'change', 'cancel', 'end', ...PLAN_COMMANDS, ...MESSAGE_COMMANDS, 'notice', 'withdraw'] as const;
export type Command = (typeof COMMANDS)[number];

/** The command's options, as parsed from the command line. */
export interface CommandOptions extends PlanCommandOptions {
  client?: string;
  service?: string[];
  start?: string;
  end?: string;
  decision?: string;
  'decision-date'?: string;
  text?: string;
  unit?: string;
  status?: string;
  limit?: string;
  reason?: string;
  date?: string;
  kind?: string;
}

/** `--kind hemtjanst|sarskilt_boende|korttidsvistelse|daglig_verksamhet` (or its Swedish label). */
function kindOf(text: string): ServiceKind {
  const folded = text.trim().toLowerCase();
  const kind = ServiceKind.options.find((k) => k === folded || SERVICE_KIND_LABELS[k].toLowerCase() === folded);
  if (!kind) throw new CliError(`Okänd tjänsteform "${text}". Ange en av: ${ServiceKind.options.join(', ')}.`);
  return kind;
}

/** "Hemtjänst, 20 h/mån", "Daglig verksamhet, 30 h/v", "[HT-PO] Omvårdnad, 12,5 h/månad". */
export function parseService(text: string): GrantedService {
  const m = /^\s*(?:\[([^\]]{1,40})\]\s*)?(.+?)\s*,\s*(\d+(?:[.,]\d+)?)\s*(?:h|tim(?:mar)?)\s*(?:\/|per\s+)\s*(mån(?:ad)?|m|v(?:ecka)?|w(?:eek)?|month)\s*$/i.exec(text);
  if (!m) throw new CliError(`Kan inte tolka insatsen "${text}". Skriv t.ex. "Hemtjänst, 20 h/mån" eller "Daglig verksamhet, 30 h/v".`);
  const per = /^(v|w)/i.test(m[4]!) ? 'week' : 'month';
  return { ...(m[1] ? { code: m[1] } : {}), name: m[2]!, grantedHours: Number(m[3]!.replace(',', '.')), per };
}

const isFullId = (s: string) => /^[0-9a-f-]{36}$/i.test(s);

/** The full id of the one assignment whose id is or begins with `id` (as `list` shows them). */
async function resolveId(api: OfficerApi, command: Command, id: string | undefined): Promise<string> {
  if (!id) throw new CliError(`Ange uppdragets id: npm run officer -- ${command} ID …`);
  if (isFullId(id)) return id.toLowerCase();
  if (!/^[0-9a-f]{4,35}$/i.test(id)) throw new CliError(`Ogiltigt id: ${id}`);
  const matches: string[] = [];
  let cursor: string | null = null;
  do {
    const page: AssignmentListResponse = await api.list({ limit: '500', ...(cursor ? { cursor } : {}) });
    matches.push(...page.items.map((a) => a.id).filter((x) => x.startsWith(id.toLowerCase())));
    cursor = page.nextCursor;
  } while (cursor);
  if (matches.length === 0) throw new CliError(`Inget uppdrag har id som börjar på ${id}.`);
  if (matches.length > 1) throw new CliError(`Flera uppdrag har id som börjar på ${id}; ange fler tecken.`);
  return matches[0]!;
}

/** Runs one command against the officer API and prints its outcome in Swedish. */
export async function runCommand(api: OfficerApi, command: Command, idArg: string | undefined, o: CommandOptions, io: Out, usage: string): Promise<void> {
  switch (command) {
    case 'send': {
      if (!o.client || !o.service?.length || !o.start || !o.decision) {
        throw new CliError('send behöver --client, --service, --start och --decision.\n\n' + usage);
      }
      const a = await api.send(
        checked(SendAssignment, {
          client: isFullId(o.client) ? { clientId: o.client } : { personnummer: o.client },
          ...(o.unit ? { unitId: o.unit } : {}),
          decision: { reference: o.decision, date: o['decision-date'] ?? swedishDate() },
          services: o.service.map(parseService),
          ...(o.kind ? { serviceKind: kindOf(o.kind) } : {}),
          startDate: o.start,
          ...(o.end ? { endDate: o.end } : {}),
          freeText: o.text ?? '',
        }),
      );
      io.out(`Uppdraget har skickats till ${a.unitName}.`);
      printAssignment(a, io);
      return;
    }
    case 'list': {
      const query: Record<string, string> = { limit: o.limit ?? '50', sort: 'received_desc' };
      if (o.status) query.status = o.status;
      if (o.client) query.client = o.client;
      checked(AssignmentListQuery, query);
      printList(await api.list(query), io);
      return;
    }
    case 'show': {
      printAssignment(await api.get(await resolveId(api, command, idArg)), io);
      return;
    }
    case 'change': {
      const id = await resolveId(api, command, idArg);
      const action: OfficerAction = {
        type: 'change',
        ...(o.service?.length ? { services: o.service.map(parseService) } : {}),
        ...(o.start ? { startDate: o.start } : {}),
        ...(o.end ? { endDate: o.end === 'none' ? null : o.end } : {}),
        ...(o.text !== undefined ? { freeText: o.text } : {}),
      };
      if (o.decision || o['decision-date']) {
        const current = await api.get(id);
        action.decision = { reference: o.decision ?? current.decision.reference, date: o['decision-date'] ?? current.decision.date };
      }
      if (Object.keys(action).length === 1) throw new CliError('change behöver minst en av --service, --start, --end, --text, --decision, --decision-date.');
      const a = await api.act(id, checked(OfficerAction, action));
      io.out('Uppdraget har ändrats.');
      printAssignment(a, io);
      return;
    }
    case 'cancel': {
      if (!o.reason) throw new CliError('cancel behöver --reason "…".');
      const a = await api.act(await resolveId(api, command, idArg), checked(OfficerAction, { type: 'cancel', reason: o.reason }));
      io.out('Uppdraget är avbeställt. Utföraren behöver bekräfta avbeställningen.');
      printAssignment(a, io);
      return;
    }
    case 'end': {
      if (!o.date) throw new CliError('end behöver --date ÅÅÅÅ-MM-DD.');
      const action = checked(OfficerAction, { type: 'end', endDate: o.date, ...(o.reason ? { reason: o.reason } : {}) });
      const id = await resolveId(api, command, idArg);
      // An end is not scheduled: the server refuses a date after today; say how to set a later end date.
      const a = await api.act(id, action).catch((e: unknown) => {
        if (e instanceof AppFailure && e.code === 'VALIDATION' && o.date! > swedishDate()) {
          throw new CliError(`Fel (VALIDATION): ${e.message}\nSätt slutdatumet med: npm run officer -- change ${shortId(id)} --end ${o.date}`);
        }
        throw e;
      });
      io.out('Uppdraget är avslutat.');
      printAssignment(a, io);
      return;
    }
    default:
      // The message and notice commands are run by tools/officer.ts before this is reached.
      if (!isPlanCommand(command)) throw new CliError(`Okänt kommando: ${command}\n\n${usage}`);
      return runPlanCommand(api, command, idArg, o, io);
  }
}
