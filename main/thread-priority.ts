import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value background worker threads run at: below the main thread, which answers the UI. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling worker thread's scheduling priority below the main thread's, where the
 * operating system gives a thread a priority of its own: Linux, where each thread is a task with
 * its own nice value (its id from /proc/thread-self). A CPU-bound store worker then yields its
 * core whenever the main thread wakes, instead of making the main thread wait out its time slice
 * (`npm run bench -- sync --cores split`, the workstation on one core: the longest main-loop stall
 * of a first sync 12–31 ms → 8–13 ms in four runs each).
 *
 * Elsewhere it does nothing and says so: Node's os.setPriority sets the whole process's priority
 * class on Windows, which would slow the main thread too; a per-thread SetThreadPriority needs a
 * native module (docs/store.md). Never lowers the main thread.
 */
export function lowerThisThreadsPriority(nice = BACKGROUND_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
