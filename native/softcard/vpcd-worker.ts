import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorCode } from '#contract';
import { openCardFile } from './open-card-file';
import { SoftCard } from './soft-card';
import { VpcdCard, type VpcdCardOptions } from './vpcd-client';
import type { CardCommand, FromWorker, ToWorker, WorkerCardSource } from './worker-card';

/**
 * The worker side of `insertCardFile` / `insertCard` (./worker-card.ts): the software card in vpcd,
 * on this thread's own event loop. The retry counters of a card file on disk are written back here
 * (SoftCard's persist, before each answer). With `log`, each command is logged before its answer
 * goes out, so a list asked for after the caller saw an answer holds that command.
 */
const { source, opts, log } = workerData as { source: WorkerCardSource; opts: VpcdCardOptions; log: boolean };
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const now = (): number => performance.timeOrigin + performance.now();
const commands: CardCommand[] = [];

try {
  const card = 'path' in source ? await openCardFile(source.path) : new SoftCard(source.file);
  if (log) {
    const process = card.process.bind(card);
    card.process = async (apdu: Uint8Array) => {
      const inAt = now();
      const res = await process(apdu);
      const sw = res ? Buffer.from(res.subarray(res.length - 2)).toString('hex').toUpperCase() : undefined;
      commands.push({ ins: apdu[1]!, length: apdu.length, sw, inAt, outAt: now() });
      return res;
    };
  }
  const vpcd = await VpcdCard.insert(card, opts);
  port.on('message', (m: ToWorker) => {
    if (m === 'close') void vpcd.close();
    else post({ commands: m.commands, list: commands });
  });
  void vpcd.ended.then(() => {
    post({ ended: true, list: commands });
    port.close();
  });
  post({ inserted: true });
} catch (e) {
  post({ failed: (e as Error).message, code: (e as { code?: ErrorCode }).code });
  port.close();
}
