import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

/**
 * The Electron binary's path, or why there is none. The `electron` npm package downloads its
 * binary lazily; on machines without access to its download host (our build machines) there is
 * none, and requiring the package throws.
 */
export function electronBinary(): { path: string } | { missing: string } {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    if (typeof p === 'string' && existsSync(p)) return { path: p };
    return { missing: 'Electron-binären finns inte installerad' };
  } catch (e) {
    return { missing: (e as Error).message.split('\n')[0] ?? 'okänt fel' };
  }
}
