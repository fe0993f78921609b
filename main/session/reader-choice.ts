import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The card reader chosen on this workstation, kept across logins and restarts. It is not personal
 * data and must be readable before anyone has logged in, so it lives in a small plain file beside
 * the data (`<dataDir>/card-reader.json`), not in the encrypted store, which opens only after login.
 */
export interface ReaderChoice {
  load(): string | null;
  save(reader: string): void;
}

export function fileReaderChoice(dataDir: string): ReaderChoice {
  const file = path.join(dataDir, 'card-reader.json');
  return {
    load() {
      try {
        const v = (JSON.parse(readFileSync(file, 'utf8')) as { reader?: unknown }).reader;
        return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null;
      } catch {
        return null; // none chosen yet, or an unreadable file: choose again
      }
    },
    save(reader) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify({ reader }) + '\n');
    },
  };
}

/** In memory only (tests). */
export function memoryReaderChoice(): ReaderChoice {
  let chosen: string | null = null;
  return { load: () => chosen, save: (r) => void (chosen = r) };
}
