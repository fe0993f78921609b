/**
 * `npm run officer -- COMMAND …`: play the municipality's case officer (biståndshandläggare)
 * against a running server, without writing HTTP by hand. Logs in as the case officer with a
 * demo card file (a software card signing the server's challenge through the workstation's card
 * stack) and calls /api/v1/officer/… (docs/assignments.md). The parts: tools/officer/api.ts (login and
 * the API over the workstation's server client), commands.ts (what each command does), format.ts
 * (what it prints).
 *
 *   send   --client 19121212-1212 --service "Hemtjänst, 20 h/mån" [--service …] --start 2026-12-01
 *          --decision BIS-2026-123 [--decision-date YYYY-MM-DD] [--end YYYY-MM-DD] [--text "…"] [--unit UNIT_ID] [--kind KIND]
 *   list   [--status new,confirmed,…] [--client NAMN|PERSONNUMMER] [--limit 50]
 *   show   ID
 *   change ID [--service …] [--start …] [--end …|--end none] [--text …] [--decision REF] [--decision-date …]
 *   cancel ID --reason "…"
 *   end    ID --date YYYY-MM-DD [--reason "…"]   (not in the future: a later end date is a change)
 *   plans  --client PERSONNUMMER   (a client's plans and consent; tools/officer/plans.ts)
 *   plan   PLAN-ID                 (the current set version, only with the client's consent)
 *   plan-stats                     (the municipality's follow-up per provider unit)
 *   messages [--search TEXT]; read ID; reply ID --text "…"; attachment ID [--out FILE];
 *   send --subject "…" --text "…" (--assignment ID | --client PNR | --unit UNIT_ID)   (tools/officer/messages.ts)
 *   notice --title --text --from --until [--outage-start --outage-end] [--unit]; withdraw NOTICE-ID   (tools/officer/notices.ts)
 *
 * ID: the full id or its first characters as `list` shows them.
 * Options for every command: --server URL (or SERVER_URL; default the URL the embedded server
 * wrote to .data/server/server-url), --card FILE (or OFFICER_CARD; default
 * .data/cards/maria-ek.json), --origin ORIGIN (default the server URL's origin).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppFailure } from '#contract';
import { CardFile } from '../native/softcard/card-file';
import { officerLogin } from './officer/api';
import { COMMANDS, CliError, runCommand, type Command } from './officer/commands';
import { checked, failureText, unreachableText, type Out } from './officer/format';
import { MESSAGE_COMMANDS, runMessageCommand, type MessageCommand } from './officer/messages';
import { runNoticeCommand, runWithdrawCommand } from './officer/notices';

export interface OfficerIo extends Out {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const USAGE = `Användning: npm run officer -- KOMMANDO [flaggor]

  send   --client PERSONNUMMER --service "Hemtjänst, 20 h/mån" [--service …] --start ÅÅÅÅ-MM-DD
         --decision BESLUTSNUMMER [--decision-date ÅÅÅÅ-MM-DD] [--end ÅÅÅÅ-MM-DD] [--text "…"] [--unit ENHETS-ID]
         [--kind hemtjanst|sarskilt_boende|korttidsvistelse|daglig_verksamhet]   (tjänsteform; annars enhetens)
  list   [--status new,confirmed,executed,paused,cancellation_requested,cancelled,ended] [--client NAMN|PERSONNUMMER] [--limit N]
  show   ID
  change ID [--service …] [--start …] [--end …|none] [--text …] [--decision …] [--decision-date …]
  cancel ID --reason "…"
  end    ID --date ÅÅÅÅ-MM-DD [--reason "…"]   (i dag eller tidigare; ett senare slutdatum sätts med change --end)
  plans  --client PERSONNUMMER          brukarens genomförandeplaner och samtycke
  plan   PLAN-ID                        gällande fastställd plan (kräver brukarens samtycke)
  plan-stats                            andel brukare med fastställd plan per enhet

  Meddelanden:
  messages [--search TEXT] [--limit N]      dina samtal, nyast först, med antal olästa
  read   ID                                 visa samtalet (vem som läst vad) och markera det läst
  reply  ID --text "…"
  attachment BILAGE-ID [--out FIL]          spara en bilaga (PDF) som read visar
  send   --subject "…" --text "…" (--assignment ID | --client PERSONNUMMER | --unit ENHETS-ID)

  Anslagstavla:
  notice --title "…" --text "…" --from ÅÅÅÅ-MM-DDTHH:MM --until ÅÅÅÅ-MM-DDTHH:MM
         [--outage-start ÅÅÅÅ-MM-DDTHH:MM --outage-end ÅÅÅÅ-MM-DDTHH:MM] [--unit ENHETS-ID]
  withdraw NOTICE-ID                        återkalla ett meddelande från anslagstavlan

  --server URL   servern (annars SERVER_URL, annars .data/server/server-url)
  --card FIL     handläggarens kortfil (annars OFFICER_CARD, annars .data/cards/maria-ek.json)
  --origin URL   origin som inloggningen signeras för (annars serverns)`;

export async function runOfficer(argv: string[], io: OfficerIo): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (e) {
    io.err(e instanceof CliError ? e.message : `Fel: ${e instanceof Error ? e.message : String(e)}`);
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
        subject: { type: 'string' },
        assignment: { type: 'string' },
        search: { type: 'string' },
        title: { type: 'string' },
        from: { type: 'string' },
        until: { type: 'string' },
        'outage-start': { type: 'string' },
        'outage-end': { type: 'string' },
        out: { type: 'string' },
        kind: { type: 'string' },
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
  if (!(COMMANDS as readonly string[]).includes(command)) throw new CliError(`Okänt kommando: ${command}\n\n${USAGE}`);

  const dataDir = path.resolve(cwd, env.DATA_DIR ?? '.data');
  const server = (o.server ?? env.SERVER_URL ?? readServerUrl(dataDir))?.replace(/\/+$/, '');
  if (!server) throw new CliError('Ingen server angiven. Starta med npm start (eller npm run server) och ange --server http://127.0.0.1:PORT.');
  const cardPath = path.resolve(cwd, o.card ?? env.OFFICER_CARD ?? path.join(dataDir, 'cards', 'maria-ek.json'));
  if (!existsSync(cardPath)) throw new CliError(`Kortfilen ${cardPath} finns inte. npm start skapar demokorten i .data/cards/.`);
  let card: CardFile;
  try {
    card = checked(CardFile, JSON.parse(readFileSync(cardPath, 'utf8')));
  } catch (e) {
    throw new CliError(`Kortfilen ${cardPath} går inte att läsa som kortfil.${e instanceof CliError ? `\n${e.message}` : ''}`);
  }

  const login = await officerLogin({ server, card, ...(o.origin ? { origin: o.origin } : {}) }).catch((e: unknown) => {
    throw e instanceof AppFailure ? new CliError(failureText(e, server, 'login')) : unreachable(e, server);
  });
  io.err(`Inloggad som ${login.user.givenName} ${login.user.familyName} (${login.user.title}) mot ${server}`);
  const isMessage = (MESSAGE_COMMANDS as readonly string[]).includes(command) || (command === 'send' && o.subject !== undefined);
  const running = command === 'notice' ? runNoticeCommand(login.api, o, io) : command === 'withdraw' ? runWithdrawCommand(login.api, idArg, io) : isMessage ? runMessageCommand(login.api, command as MessageCommand, idArg, o, io, login.user.id) : runCommand(login.api, command as Command, idArg, o, io, USAGE);
  await running.catch((e: unknown) => {
    throw e instanceof AppFailure ? new CliError(failureText(e, server, 'call')) : unreachable(e, server);
  });
}

/** Node's fetch fails with an English TypeError ("fetch failed") when nothing answers: say it in Swedish. */
const unreachable = (e: unknown, server: string): unknown =>
  e instanceof TypeError && /fetch failed/i.test(e.message) ? new CliError(unreachableText(server)) : e;

function readServerUrl(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'server', 'server-url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await runOfficer(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) });
  process.exit(code);
}
