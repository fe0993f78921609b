import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { AppFailure, validationDetails } from '#contract';
import { CardFile } from './card-file';

/** Reads and validates a card file; anything else than a valid card file is a clear VALIDATION error. */
export async function loadCardFile(path: string): Promise<CardFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new AppFailure('VALIDATION', `Kortfilen ${path} kunde inte läsas som JSON: ${(e as Error).message}`);
  }
  const parsed = CardFile.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(roten)').slice(0, 5).join(', ');
    throw new AppFailure('VALIDATION', `${path} är ingen giltig kortfil (fel i: ${where})`, validationDetails(parsed.error));
  }
  return parsed.data;
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
