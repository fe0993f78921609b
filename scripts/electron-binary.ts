import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Electron binary's path, or why there is none. The `electron` npm package fetches its binary
 * on first use; where its download host cannot be reached (our build machines) that fails. The
 * attempt runs in a child process so its progress output and stack trace stay out of our console,
 * and in parallel with the rest of the start.
 */
export function electronBinary(cwd: string): Promise<{ path: string } | { missing: string }> {
  return new Promise((resolve) => {
    // The package name is an argument, so this file (outside main/electron) imports nothing of Electron.
    execFile(process.execPath, ['-e', 'process.stdout.write(String(require(process.argv[1])))', 'electron'], { cwd, encoding: 'utf8', timeout: 300_000 }, (error, stdout, stderr) => {
      const p = stdout.trim();
      if (!error && p && existsSync(p)) return resolve({ path: p });
      const reason = /Electron failed to install[^\n]*|Cannot find module[^\n]*/.exec(stderr ?? '')?.[0];
      resolve({ missing: reason ? 'binären kunde inte hämtas' : 'binären saknas' });
    });
  });
}
