import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { CardFile } from './card-file';

/** Reads and validates a card file. */
export async function loadCardFile(path: string): Promise<CardFile> {
  return CardFile.parse(JSON.parse(await readFile(path, 'utf8')));
}

/**
 * Writes a card file atomically (temp file in the same directory + rename), so a crash mid-write
 * never leaves a half-written card. Writes to one path are serialised.
 */
const queues = new Map<string, Promise<void>>();
export function saveCardFile(path: string, card: CardFile): Promise<void> {
  const prev = queues.get(path) ?? Promise.resolve();
  const next = prev.then(async () => {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(card, null, 2) + '\n', { mode: 0o600 });
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  });
  const settled = next.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}
