/**
 * Where the sync benchmark's two sides run on this machine's CPUs (`--cores`). In production the
 * server and its database run elsewhere; here they share the workstation's machine, and how they
 * share it decides what the workstation's main-loop stall measures.
 *
 *   - `split` (the default since session 5): the server, its database and the benchmark's own
 *     harness on CPU 1, the workstation on CPU 0 (taskset, Linux). The server as if on another
 *     machine, and the workstation with one core, harsher than a real PC's several: its main
 *     thread competes only with its own workers and V8's helper threads. New threads and forked
 *     PostgreSQL backends inherit the placement.
 *   - `shared`: everything on both cores at the same priority, as the benchmark ran until
 *     session 5. A stress case, not the production shape: the main thread also waits behind the
 *     server and PostgreSQL, and on Linux each PostgreSQL backend is a session of its own and so
 *     an autogroup of its own, which the scheduler weighs as much as the whole workstation
 *     process (docs/sync.md).
 *
 * Where `split` cannot be had (not Linux, one core, no taskset) the run falls back to `shared` and
 * says so; the report lines carry the placement that was used.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const PLACEMENTS = ['split', 'shared'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export function placementArg(args: string[]): Placement {
  const i = args.indexOf('--cores');
  const wanted = i >= 0 ? args[i + 1] : 'split';
  const known = PLACEMENTS.find((p) => p === wanted);
  if (!known) throw new Error(`--cores expects ${PLACEMENTS.join(' or ')}`);
  return known;
}

/**
 * Places `background` (the server, the database, this harness) and `workstation`, and says which
 * placement it got.
 */
export function place(wanted: Placement, background: number[], workstation: number): Placement {
  if (wanted === 'shared') return 'shared';
  if (process.platform !== 'linux' || availableParallelism() < 2) {
    console.error('--cores split needs Linux and two cores; server and workstation share the cores.');
    return 'shared';
  }
  try {
    const pin = (cpu: string, pid: number) => execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpu, String(pid)], { stdio: 'ignore' });
    for (const pid of background) pin('1', pid);
    pin('0', workstation);
    return 'split';
  } catch (e) {
    console.error(`taskset: ${(e as Error).message.split('\n')[0]}; server and workstation share the cores.`);
    return 'shared';
  }
}
