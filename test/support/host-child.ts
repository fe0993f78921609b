/**
 * A workstation in its own process, for crash tests: `node --import tsx test/support/host-child.ts`
 * with SERVER_URL, DATA_DIR and CARD_FILE. It logs in with the in-process demo card (PIN 123456)
 * and then serves `dispatch` over a line protocol: one JSON `{id, method, input}` per stdin line,
 * one JSON `{id, result}` per stdout line (`{ready:true}` first). Killed with SIGKILL by the test.
 */
import { createInterface } from 'node:readline';
import { createWorkstation } from '../../main/app';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const write = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const workstation = await createWorkstation({
  host: 'browser',
  serverUrl: env('SERVER_URL'),
  dataDir: env('DATA_DIR'),
  card: { kind: 'demo', cardFile: env('CARD_FILE') },
  workstationName: 'crash-test',
  sync: { backoff: { baseMs: 50, capMs: 400 }, events: { backoff: { baseMs: 50, capMs: 400 } } },
});
const login = await workstation.dispatch('session.login', { pin: '123456' });
if (!login.ok) {
  write({ ready: false, error: login.error });
  process.exit(1);
}
write({ ready: true });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const { id, method, input } = JSON.parse(line) as { id: number; method: string; input: unknown };
  void workstation.dispatch(method, input).then((result) => write({ id, result }));
});
rl.on('close', () => void workstation.close().then(() => process.exit(0)));
