/**
 * A workstation of another release, driven from a child process (issue 33, previous-version
 * tests): copied into that release's unpacked tree (test/support/previous-release.ts), its
 * imports are that release's workstation. It logs in with a software card file in an in-process
 * reader, waits until synced, writes one journal entry, waits until it is sent, and prints one
 * JSON line. Only calls every release since the version handshake's predecessor has.
 *
 *   SERVER_URL, DATA_DIR, CARD_FILE, ENTRY_TEXT   node --import tsx test/support/previous-workstation.ts
 */
import { createWorkstation } from '../../main/app';
import { cardAccessOver } from '../../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../../native/softcard';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function main(): Promise<void> {
  const reader = new DemoInProcessReader('Testläsare');
  const ws = await createWorkstation({
    host: 'browser',
    serverUrl: env('SERVER_URL'),
    dataDir: env('DATA_DIR'),
    card: cardAccessOver(reader),
    sync: { backoff: { baseMs: 50, capMs: 400 }, events: { backoff: { baseMs: 50, capMs: 400 } }, safetyPullMs: 5_000 },
    workstationName: 'e2e-previous-workstation',
  });
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const r = await ws.dispatch(method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };
  const synced = async () => {
    let last: unknown;
    for (let i = 0; i < 300; i++) {
      const s = await call<{ connection: string; pending: number }>('sync.status');
      if (s.connection === 'online' && s.pending === 0) return;
      last = s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not synced within 30 s: ${JSON.stringify(last)}`);
  };
  try {
    reader.insert(await openCardFile(env('CARD_FILE')));
    const session = await call<{ state: string }>('session.login', { pin: '123456' });
    await synced();
    const clients = await call<{ id: string }[]>('clients.list', { limit: 500 });
    await call('journal.create', { clientId: clients[0]!.id, eventDate: '2026-05-04', text: env('ENTRY_TEXT'), lifeArea: null });
    await synced();
    process.stdout.write(`${JSON.stringify({ session: session.state, clients: clients.length })}\n`);
  } finally {
    await ws.close();
  }
}

await main();
process.exit(0);
