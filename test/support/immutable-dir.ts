import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Whether `chattr +i` works here (root on ext4 and the like): the tests that make a folder
 * immutable — so that not even root can move a file out of it — skip, and say so, where it does not.
 */
export const canMakeImmutable: boolean = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chattr-probe-'));
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Runs `run` with `dir` immutable (chattr +i), and makes it mutable again afterwards. */
export async function whileImmutable<T>(dir: string, run: () => Promise<T>): Promise<T> {
  execFileSync('chattr', ['+i', dir]);
  try {
    return await run();
  } finally {
    execFileSync('chattr', ['-i', dir]);
  }
}
