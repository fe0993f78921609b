import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Electron binary's path, or why there is none. The `electron` npm package fetches its binary
 * on first use; where its download host cannot be reached (our build machines) that fails. The
 * attempt runs in a child process so its progress output and stack trace stay out of our console.
 */
export function electronBinary(cwd: string): { path: string } | { missing: string } {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('electron')))"], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const p = r.stdout.trim();
  if (r.status === 0 && p && existsSync(p)) return { path: p };
  const reason = /Electron failed to install[^\n]*|Cannot find module[^\n]*/.exec(r.stderr ?? '')?.[0];
  return { missing: reason ? 'binären kunde inte hämtas' : 'binären saknas' };
}
