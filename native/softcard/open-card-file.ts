import type { CardFile } from './card-file';
import { SoftCard } from './soft-card';
import { loadCardFile, saveCardFile } from './store';

/** A software card from a card file whose retry counters are written back to that file. */
export async function openCardFile(path: string): Promise<SoftCard> {
  const file: CardFile = await loadCardFile(path);
  return new SoftCard(file, { persist: (f) => saveCardFile(path, f) });
}
