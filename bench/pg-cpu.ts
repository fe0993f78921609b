/** CPU used by a PostgreSQL cluster, for the benchmarks' CPU-per-request figures (Linux /proc). */
import { readdirSync, readFileSync } from 'node:fs';

/** The SQL that gives the backend's pid, for postmasterOf. */
export const BACKEND_PID_SQL = 'SELECT pg_backend_pid() AS pid';

/** The postmaster of a backend (its parent): a PostgreSQL process on this machine (BACKEND_PID_SQL). */
export function postmasterOf(backend: number): number {
  return Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

/** CPU ms of the postmaster, its reaped children and its living children (Linux /proc; 0 elsewhere). */
export function processTreeCpuMs(postmaster: number): number {
  const tick = 100; // USER_HZ on Linux
  const fields = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  try {
    const own = fields(postmaster);
    // Fields after "(comm) ": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const f = fields(pid);
        if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone
      }
    }
    return (ticks * 1000) / tick;
  } catch {
    return 0;
  }
}
