/**
 * The slowloris client of `npm run bench -- abuse` (bench/abuse.ts), in a process of its own
 * started with a raised open-file limit (`ulimit -n`): opens COUNT TCP connections to the server
 * from 127.0.0.2, sends nothing on them, and holds what the server leaves open for SECONDS; then
 * closes everything and exits. Loopback only, bounded in count and time. Prints JSON lines:
 *   {"phase":"connected","attempted":…,"connected":…,"open":…,"ms":…}
 *   {"phase":"holding","open":…,"closedByServer":…}   (every second)
 *   {"phase":"done","open":…,"closedByServer":…}
 */
import { connect, type Socket } from 'node:net';

const [port = '0', count = '20000', seconds = '15'] = process.argv.slice(2);
const total = Math.min(Number(count), 30_000);
const holdMs = Math.min(Number(seconds), 120) * 1000;
const sockets: Socket[] = [];
let open = 0;
let connected = 0;
let closedByServer = 0;
let closing = false;

const attempt = () =>
  new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.2' });
    sockets.push(socket);
    socket.once('connect', () => {
      connected++;
      open++;
      resolve();
    });
    let wasOpen = false;
    socket.once('connect', () => (wasOpen = true));
    socket.once('close', () => {
      if (!closing) closedByServer++;
      if (wasOpen) open--;
      resolve();
    });
    socket.on('error', () => resolve());
    socket.on('data', () => undefined);
  });

const t0 = performance.now();
for (let i = 0; i < total; i += 500) await Promise.all(Array.from({ length: Math.min(500, total - i) }, attempt));
const line = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
line({ phase: 'connected', attempted: total, connected, open, ms: Math.round(performance.now() - t0) });
const timer = setInterval(() => line({ phase: 'holding', open, closedByServer }), 1000);
await new Promise((r) => setTimeout(r, holdMs));
clearInterval(timer);
line({ phase: 'done', open, closedByServer });
closing = true;
for (const s of sockets) s.destroy();
process.exit(0);
