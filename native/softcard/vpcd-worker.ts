import { parentPort, workerData } from 'node:worker_threads';
import { openCardFile } from './open-card-file';
import { VpcdCard, type VpcdCardOptions } from './vpcd-client';

/**
 * The worker side of `insertCardFile` (./worker-card.ts): the software card of a card file in vpcd,
 * on this thread's own event loop. Messages in: 'close'. Out: {inserted}, {failed: message}, {ended}.
 * The retry counters are written back to the file here (SoftCard's persist, before each answer).
 */
const { path, opts } = workerData as { path: string; opts: VpcdCardOptions };
const port = parentPort!;

try {
  const card = await VpcdCard.insert(await openCardFile(path), opts);
  port.on('message', (m: unknown) => {
    if (m === 'close') void card.close();
  });
  void card.ended.then(() => {
    port.postMessage({ ended: true });
    port.close();
  });
  port.postMessage({ inserted: true });
} catch (e) {
  port.postMessage({ failed: (e as Error).message, code: (e as { code?: unknown }).code });
  port.close();
}
