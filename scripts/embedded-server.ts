import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { nodeTsx } from './node-tool';

const LEVELS: Record<number, string> = { 40: 'varning', 50: 'fel', 60: 'allvarligt fel' };

/**
 * The server's warnings and errors whose text is in English (its log is also read by tools that
 * match on them), in Swedish for `npm start`'s console; the log file keeps them as they are.
 * test/unit/server/embedded-server-log.test.ts reads every warning and error text from server/ and
 * fails when one is neither Swedish nor here.
 */
export const SWEDISH_MESSAGES: Readonly<Record<string, string>> = {
  'auth failed': 'inloggningen misslyckades (se loggfilen)',
  'request failed': 'en begäran misslyckades (se loggfilen)',
  'response off contract': 'ett svar följde inte kontraktet (se loggfilen)',
  'rate limit reached': 'för många försök: gränsen nåddes (429)',
  'sync events: scope check failed': 'synkhändelser: behörighetskontrollen misslyckades',
  'OCSP: no verified answer; a cached good answer within the grace stands in': 'OCSP: inget verifierat svar; ett sparat giltigt svar inom respittiden gäller',
  'OCSP: no verified answer and none within the grace; refused (fails closed)': 'OCSP: inget verifierat svar och inget inom respittiden; inloggningen nekas',
  'login or renewal refused: revocation': 'inloggning eller förnyelse nekad: certifikatet är återkallat',
  'workstation API version differs from what this server serves': 'en arbetsstation har en annan API-version än servern (se loggfilen)',
  'database connection lost: PostgreSQL is unreachable; requests fail until it is back': 'förbindelsen med databasen bröts: PostgreSQL svarar inte; anrop misslyckas tills den är tillbaka',
  'database connection regained': 'förbindelsen med databasen är tillbaka',
  'MIGRATION_DATABASE_URL is not set: the server runs as the role that owns the tables (docs/security.md)': 'MIGRATION_DATABASE_URL är inte satt: servern kör som den roll som äger tabellerna (docs/security.md)',
  'readiness: the database does not answer': 'beredskap: databasen svarar inte',
};

/**
 * What of a server log line goes to the console: warnings and errors as one Swedish line, text
 * that is not a log line (a crash's stack trace) as it is; requests and other information only
 * to the log file (hundreds of lines an hour of use would bury what matters).
 */
export function consoleLine(line: string): string | null {
  let entry: { level?: unknown; msg?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line.trim() === '' ? null : `[server] ${line}`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  if (level < 40) return null;
  const msg = typeof entry.msg === 'string' ? (SWEDISH_MESSAGES[entry.msg] ?? entry.msg) : 'se loggfilen';
  return `[server] ${LEVELS[Math.min(60, Math.floor(level / 10) * 10)] ?? 'fel'}: ${msg}`;
}

/**
 * Starts the municipal server as a child process (PGlite in a data folder unless DATABASE_URL is
 * set) and resolves with its URL once it prints its listening line. Its log goes to
 * `<dataDir>/server.log`; the console gets only its warnings and errors (consoleLine), or every
 * line with SERVER_LOG=1.
 */
export async function startEmbeddedServer(opts: { root: string; dataDir: string; env?: NodeJS.ProcessEnv }): Promise<{ url: string; child: ChildProcess; logFile: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: opts.dataDir, SEED: '1', PORT: process.env.SERVER_PORT ?? '0', ...opts.env };
  // Without DATABASE_URL the server refuses to start unless told to embed (server/config.ts).
  const [node, argv] = nodeTsx(opts.root, path.join(opts.root, 'server', 'main.ts'), env.DATABASE_URL ? [] : ['--embedded']);
  const child = spawn(node, argv, {
    cwd: opts.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  mkdirSync(opts.dataDir, { recursive: true });
  const logFile = path.join(opts.dataDir, 'server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const echo = (line: string) => {
    log.write(`${line}\n`);
    const shown = process.env.SERVER_LOG ? `[server] ${line}` : consoleLine(line);
    if (shown !== null) process.stderr.write(`${shown}\n`);
  };
  createInterface({ input: child.stderr! }).on('line', echo);
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Servern startade inte inom 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`Servern avslutades (kod ${code})`)));
    lines.on('line', (line) => {
      const m = /server listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      } else echo(line);
    });
  });
  return { url, child, logFile };
}
