/**
 * `npm run officer -- COMMAND …`: play the municipality's case officer (biståndshandläggare)
 * against a running server, without writing HTTP by hand. Logs in as the case officer with a
 * demo card file (signing the server's challenge with the card's key, as the card itself does)
 * and calls /api/v1/officer/… (docs/assignments.md).
 *
 *   send   --client 19121212-1212 --service "Hemtjänst, 20 h/mån" [--service …] --start 2026-12-01
 *          --decision BIS-2026-123 [--decision-date YYYY-MM-DD] [--end YYYY-MM-DD] [--text "…"] [--unit UNIT_ID]
 *   list   [--status new,confirmed,…] [--client NAMN|PERSONNUMMER] [--limit 50]
 *   show   ID
 *   change ID [--service …] [--start …] [--end …|--end none] [--text …] [--decision REF] [--decision-date …]
 *   cancel ID --reason "…"
 *   end    ID --date YYYY-MM-DD [--reason "…"]
 *
 * ID: the full id or its first characters as `list` shows them.
 * Options for every command: --server URL (or SERVER_URL; default the URL the embedded server
 * wrote to .data/server/server-url), --card FILE (or OFFICER_CARD; default
 * .data/cards/maria-ek.json), --origin ORIGIN (default the server URL's origin).
 */
import { createPrivateKey, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  Assignment,
  AssignmentListResponse,
  ASSIGNMENT_STATUS_LABELS,
  HISTORY_ACTION_LABELS,
  OfficerLoginResponse,
  assignmentPath,
  officerRoutes,
  type AssignmentSummary,
  type GrantedService,
  type OfficerAction,
} from '../contract/assignments';
import { ChallengeResponse, LOGIN_TOKEN_FORMAT, authRoutes, authValue } from '../contract/auth';
import { formatPersonnummer } from '../contract/personnummer';
import { CardFile } from '../native/softcard/card-file';

export interface OfficerIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

class CliError extends Error {}

const USAGE = `Användning: npm run officer -- KOMMANDO [flaggor]

  send   --client PERSONNUMMER --service "Hemtjänst, 20 h/mån" [--service …] --start ÅÅÅÅ-MM-DD
         --decision BESLUTSNUMMER [--decision-date ÅÅÅÅ-MM-DD] [--end ÅÅÅÅ-MM-DD] [--text "…"] [--unit ENHETS-ID]
  list   [--status new,confirmed,executed,paused,cancellation_requested,cancelled,ended] [--client NAMN|PERSONNUMMER] [--limit N]
  show   ID
  change ID [--service …] [--start …] [--end …|none] [--text …] [--decision …] [--decision-date …]
  cancel ID --reason "…"
  end    ID --date ÅÅÅÅ-MM-DD [--reason "…"]

  --server URL   servern (annars SERVER_URL, annars .data/server/server-url)
  --card FIL     handläggarens kortfil (annars OFFICER_CARD, annars .data/cards/maria-ek.json)
  --origin URL   origin som inloggningen signeras för (annars serverns)`;

/** "Hemtjänst, 20 h/mån", "Daglig verksamhet, 30 h/v", "[HT-PO] Omvårdnad, 12,5 h/månad". */
export function parseService(text: string): GrantedService {
  const m = /^\s*(?:\[([^\]]{1,40})\]\s*)?(.+?)\s*,\s*(\d+(?:[.,]\d+)?)\s*(?:h|tim(?:mar)?)\s*(?:\/|per\s+)\s*(mån(?:ad)?|m|v(?:ecka)?|w(?:eek)?|month)\s*$/i.exec(text);
  if (!m) throw new CliError(`Kan inte tolka insatsen "${text}". Skriv t.ex. "Hemtjänst, 20 h/mån" eller "Daglig verksamhet, 30 h/v".`);
  const per = /^(v|w)/i.test(m[4]!) ? 'week' : 'month';
  return { ...(m[1] ? { code: m[1] } : {}), name: m[2]!, grantedHours: Number(m[3]!.replace(',', '.')), per };
}

const todayInSweden = () =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const shortId = (id: string) => id.slice(0, 8);
const when = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
const hours = (s: GrantedService) => `${String(s.grantedHours).replace('.', ',')} h/${s.per === 'week' ? 'vecka' : 'mån'}`;
const statusText = (a: AssignmentSummary) =>
  a.status === 'cancellation_requested' ? 'Avbeställd (ej bekräftad av utföraren)' : ASSIGNMENT_STATUS_LABELS[a.status];

const ERROR_TEXT: Record<string, string> = {
  UNAUTHENTICATED: 'Inte inloggad, eller sessionen har gått ut.',
  FORBIDDEN: 'Åtkomst nekad: kortet tillhör ingen biståndshandläggare.',
  NONCE_INVALID: 'Inloggningen misslyckades: utmaningen är ogiltig eller för gammal.',
  SIGNATURE_INVALID: 'Inloggningen misslyckades: signaturen godtogs inte (fel --origin?).',
  CERT_UNTRUSTED: 'Inloggningen misslyckades: servern litar inte på kortets certifikat.',
  CERT_EXPIRED: 'Inloggningen misslyckades: kortets certifikat har gått ut.',
  UNKNOWN_CARD_HOLDER: 'Inloggningen misslyckades: kortinnehavaren är okänd för servern.',
  SERVER_ERROR: 'Servern har inte inloggning påslagen.',
};

export async function runOfficer(argv: string[], io: OfficerIo): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(e.message);
      return 1;
    }
    io.err(`Fel: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

async function run(argv: string[], io: OfficerIo): Promise<void> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        card: { type: 'string' },
        origin: { type: 'string' },
        client: { type: 'string' },
        service: { type: 'string', multiple: true },
        start: { type: 'string' },
        end: { type: 'string' },
        decision: { type: 'string' },
        'decision-date': { type: 'string' },
        text: { type: 'string' },
        unit: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        reason: { type: 'string' },
        date: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const { values: o, positionals } = parsed;
  const [command, idArg] = positionals;
  if (o.help || !command) {
    io.out(USAGE);
    return;
  }
  if (!['send', 'list', 'show', 'change', 'cancel', 'end'].includes(command)) throw new CliError(`Okänt kommando: ${command}\n\n${USAGE}`);

  const dataDir = path.resolve(cwd, env.DATA_DIR ?? '.data');
  const server = (o.server ?? env.SERVER_URL ?? readServerUrl(dataDir))?.replace(/\/+$/, '');
  if (!server) throw new CliError('Ingen server angiven. Starta med npm start (eller npm run server) och ange --server http://127.0.0.1:PORT.');
  const cardPath = path.resolve(cwd, o.card ?? env.OFFICER_CARD ?? path.join(dataDir, 'cards', 'maria-ek.json'));
  if (!existsSync(cardPath)) throw new CliError(`Kortfilen ${cardPath} finns inte. npm start skapar demokorten i .data/cards/.`);
  const card = CardFile.parse(JSON.parse(readFileSync(cardPath, 'utf8')));
  const origin = o.origin ?? new URL(server).origin;

  const api = new Api(server);
  const login = await api.login(card, origin);
  io.err(`Inloggad som ${login.user.givenName} ${login.user.familyName} (${login.user.title}) mot ${server}`);

  const resolveId = async (id: string | undefined): Promise<string> => {
    if (!id) throw new CliError(`Ange uppdragets id: npm run officer -- ${command} ID …`);
    if (/^[0-9a-f-]{36}$/i.test(id)) return id.toLowerCase();
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
  };

  switch (command) {
    case 'send': {
      if (!o.client || !o.service?.length || !o.start || !o.decision) {
        throw new CliError('send behöver --client, --service, --start och --decision.\n\n' + USAGE);
      }
      const a = await api.send({
        client: /^[0-9a-f-]{36}$/i.test(o.client) ? { clientId: o.client } : { personnummer: o.client },
        ...(o.unit ? { unitId: o.unit } : {}),
        decision: { reference: o.decision, date: o['decision-date'] ?? todayInSweden() },
        services: o.service.map(parseService),
        startDate: o.start,
        ...(o.end ? { endDate: o.end } : {}),
        freeText: o.text ?? '',
      });
      io.out(`Uppdraget har skickats till ${a.unitName}.`);
      printAssignment(a, io);
      return;
    }
    case 'list': {
      const query: Record<string, string> = { limit: o.limit ?? '50', sort: 'received_desc' };
      if (o.status) query.status = o.status;
      if (o.client) query.client = o.client;
      const page = await api.list(query);
      const counts = Object.entries(page.counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${s === 'cancellation_requested' ? 'Avbeställda, ej bekräftade' : ASSIGNMENT_STATUS_LABELS[s as keyof typeof ASSIGNMENT_STATUS_LABELS]}: ${n}`);
      io.out(`Uppdrag (${counts.join(', ') || 'inga'})`);
      if (page.items.length === 0) {
        io.out('Inga uppdrag matchar.');
        return;
      }
      const rows = page.items.map((a) => [
        shortId(a.id),
        statusText(a),
        `${a.client.givenName} ${a.client.familyName}`,
        formatPersonnummer(a.client.personnummer),
        a.unitName,
        a.decision.reference,
        a.startDate,
        a.confirmedAt ? when(a.confirmedAt) : '–',
        a.executionDate ?? '–',
        a.pauses.length ? a.pauses.map((p) => `${p.from}–${p.to ?? 'pågår'}`).join(', ') : '–',
      ]);
      table(['Id', 'Status', 'Brukare', 'Personnummer', 'Enhet', 'Beslut', 'Start', 'Kvitterad', 'Verkställd', 'Avbrott'], rows, io);
      if (page.nextCursor) io.out(`… fler finns; visa fler med --limit.`);
      return;
    }
    case 'show': {
      printAssignment(await api.get(await resolveId(idArg)), io);
      return;
    }
    case 'change': {
      const id = await resolveId(idArg);
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
      const a = await api.act(id, action);
      io.out('Uppdraget har ändrats.');
      printAssignment(a, io);
      return;
    }
    case 'cancel': {
      if (!o.reason) throw new CliError('cancel behöver --reason "…".');
      const a = await api.act(await resolveId(idArg), { type: 'cancel', reason: o.reason });
      io.out('Uppdraget är avbeställt. Utföraren behöver bekräfta avbeställningen.');
      printAssignment(a, io);
      return;
    }
    case 'end': {
      if (!o.date) throw new CliError('end behöver --date ÅÅÅÅ-MM-DD.');
      const a = await api.act(await resolveId(idArg), { type: 'end', endDate: o.date, ...(o.reason ? { reason: o.reason } : {}) });
      io.out('Uppdraget är avslutat.');
      printAssignment(a, io);
      return;
    }
  }
}

function readServerUrl(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'server', 'server-url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

function printAssignment(a: Assignment, io: OfficerIo): void {
  io.out(`Uppdrag ${a.id}  (kort id ${shortId(a.id)})`);
  io.out(`  Status:        ${statusText(a)}`);
  io.out(`  Brukare:       ${a.client.givenName} ${a.client.familyName}, ${formatPersonnummer(a.client.personnummer)}`);
  io.out(`  Enhet:         ${a.unitName}`);
  io.out(`  Beslut:        ${a.decision.reference} (${a.decision.date})`);
  io.out(`  Period:        från ${a.startDate}${a.endDate ? ` till ${a.endDate}` : ''}`);
  for (const s of a.services) io.out(`  Insats:        ${s.code ? `[${s.code}] ` : ''}${s.name}, ${hours(s)}`);
  if (a.freeText) io.out(`  Fritext:       ${a.freeText}`);
  io.out(`  Kvitterad:     ${a.confirmedAt ? when(a.confirmedAt) : 'nej'}`);
  io.out(`  Verkställd:    ${a.executionDate ?? 'nej'}`);
  for (const p of a.pauses) io.out(`  Avbrott:       ${p.from}–${p.to ?? 'pågår'} (${p.reason})`);
  for (const r of a.registrations) io.out(`  ${r.kind === 'absence' ? 'Frånvaro:' : 'Närvaro: '}      ${r.from}–${r.to}`);
  if (a.cancellation) {
    io.out(`  Avbeställd:     ${when(a.cancellation.requestedAt)} (${a.cancellation.reason}); ${a.cancellation.confirmedAt ? `bekräftad ${when(a.cancellation.confirmedAt)}` : 'ej bekräftad av utföraren'}`);
  }
  io.out('  Historik:');
  for (const e of a.history) {
    const extra = historyDetail(e.action, e.details);
    io.out(`    ${when(e.at)}  ${HISTORY_ACTION_LABELS[e.action]}${extra ? ` – ${extra}` : ''}  (${e.actor.name}, ${e.actor.title})`);
  }
}

function historyDetail(action: string, d: Record<string, unknown>): string {
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (action) {
    case 'execute':
      return s('previousExecutionDate') ? `${s('executionDate')} (tidigare ${s('previousExecutionDate')})` : (s('executionDate') ?? '');
    case 'report':
      return `"${s('message') ?? ''}"`;
    case 'pause':
      return `från ${s('from')}: ${s('reason')}`;
    case 'resume':
      return `${s('to')}`;
    case 'cancel':
      return s('reason') ?? '';
    case 'end':
      return `${s('endDate')}${s('reason') ? `: ${s('reason')}` : ''}`;
    case 'register_absence':
    case 'register_presence':
      return `${s('from')}–${s('to')}`;
    case 'change':
      return Object.keys((d.changed as Record<string, unknown>) ?? {}).join(', ');
    default:
      return '';
  }
}

function table(head: string[], rows: string[][], io: OfficerIo): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  io.out(line(head));
  io.out(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) io.out(line(r));
}

/** The officer API over fetch, every answer checked against the contract. */
class Api {
  private token = '';
  constructor(private readonly base: string) {}

  private async call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${url}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          'x-workstation': 'officer-cli',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new CliError(`Kan inte nå servern ${this.base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`Servern svarade inte med JSON (HTTP ${res.status}).`);
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const code = error?.code ?? 'SERVER_ERROR';
      // Refusals of the assignment API carry a Swedish message for the user; login messages are for logs.
      const message = ['CONFLICT', 'VALIDATION', 'NOT_FOUND'].includes(code) ? (error?.message ?? code) : (ERROR_TEXT[code] ?? error?.message ?? code);
      const details = (json as { error?: { details?: { issues?: { path: string; message: string }[] } } }).error?.details?.issues;
      throw new CliError(`Fel (${code}): ${message}${details?.length ? `\n${details.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` : ''}`);
    }
    return json;
  }

  async login(card: CardFile, origin: string): Promise<OfficerLoginResponse> {
    const { nonce } = ChallengeResponse.parse(await this.call('POST', authRoutes.challenge.path));
    const data = await authValue(origin, nonce);
    const key = createPrivateKey(card.auth.privateKeyPem);
    const [algorithm, signature] =
      card.auth.algorithm === 'RSA-2048'
        ? (['RS256', sign('sha256', data, key)] as const)
        : (['ES256', sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })] as const);
    const certificate = card.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    const answer = OfficerLoginResponse.parse(
      await this.call('POST', officerRoutes.login.path, {
        format: LOGIN_TOKEN_FORMAT,
        nonce,
        origin,
        certificate,
        algorithm,
        signature: signature.toString('base64'),
        workstation: 'officer-cli',
      }),
    );
    this.token = answer.token;
    return answer;
  }

  async list(query: Record<string, string>): Promise<AssignmentListResponse> {
    return AssignmentListResponse.parse(await this.call('GET', `${officerRoutes.list.path}?${new URLSearchParams(query).toString()}`));
  }
  async get(id: string): Promise<Assignment> {
    return Assignment.parse(await this.call('GET', assignmentPath(officerRoutes.get.path, id)));
  }
  async send(body: unknown): Promise<Assignment> {
    return Assignment.parse(await this.call('POST', officerRoutes.send.path, body));
  }
  async act(id: string, action: OfficerAction): Promise<Assignment> {
    return Assignment.parse(await this.call('POST', assignmentPath(officerRoutes.act.path, id), action));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await runOfficer(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) });
  process.exit(code);
}
