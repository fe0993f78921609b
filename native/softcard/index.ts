import type { CardFile } from './card-file';
import { SoftCard } from './soft-card';
import { loadCardFile, saveCardFile } from './store';
import { VpcdCard, type VpcdCardOptions } from './vpcd-client';

export { SoftCard } from './soft-card';
export { VpcdCard, VPCD_DEFAULT_PORT } from './vpcd-client';
export { DemoInProcessReader, InProcessCardTransport } from './in-process';
export { loadCardFile, saveCardFile } from './store';
export { CardFile, CARD_FILE_FORMAT } from './card-file';

/** A software card from a card file whose retry counters are written back to that file. */
export async function openCardFile(path: string): Promise<SoftCard> {
  const file: CardFile = await loadCardFile(path);
  return new SoftCard(file, { persist: (f) => saveCardFile(path, f) });
}

/** Loads a card file and inserts it into the vpcd reader; `close()` on the result removes it. */
export async function insertCardFile(path: string, opts: VpcdCardOptions = {}): Promise<VpcdCard> {
  return VpcdCard.insert(await openCardFile(path), opts);
}
