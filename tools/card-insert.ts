// Inserts a software card file into pcscd's vpcd reader and keeps it there until Ctrl-C.
//   npm run card:insert -- path/to/card.json [--port 35963] [--host 127.0.0.1]
// Port 35963 is the first vpcd reader ("Virtual PCD 00 00"), 35964 the second.
import { insertCardFile, loadCardFile, VPCD_DEFAULT_PORT } from '../native/softcard';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('Användning: npm run card:insert -- <kortfil.json> [--port 35963] [--host 127.0.0.1]');
  process.exit(2);
}

const args = process.argv.slice(2);
let path: string | undefined;
let port = VPCD_DEFAULT_PORT;
let host: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--port') port = Number(args[++i]);
  else if (a === '--host') host = args[++i];
  else if (a === '-h' || a === '--help') usage();
  else if (!path) path = a;
  else usage(`Okänt argument: ${a}`);
}
if (!path) usage('Ange en kortfil.');
if (!Number.isInteger(port) || port <= 0 || port > 65535) usage('Ogiltig port.');

try {
  const file = await loadCardFile(path);
  const card = await insertCardFile(path, { port, ...(host ? { host } : {}) });
  console.log(`Kortet "${file.label}" (${file.auth.algorithm}) sitter i vpcd-läsaren på port ${port}. Ctrl-C tar ut det.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await card.close();
    console.log('Kortet är uttaget.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await card.ended;
  if (!stopping) {
    console.error('vpcd stängde förbindelsen (pcscd stoppades?). Kortet är uttaget.');
    process.exit(1);
  }
} catch (e) {
  console.error(`Kunde inte sätta i kortet: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
