import { defineConfig } from 'vitest/config';

/** Unit tests that measure the main thread's stalls or time a worker's start: alone, with the other core idle. */
const TIMING = ['test/unit/store/worker.test.ts', 'test/unit/main/worker-start.test.ts'];

/**
 * Integration tests that use the one shared card reader (pcscd with vpcd, or the packaged app that
 * logs in through it) are named `*.reader.test.ts`: they run one at a time. Every other integration
 * test needs PostgreSQL but not the reader (each file makes its own database, roles carry a random
 * suffix, servers listen on port 0; the workstation stacks log in with a software card in an
 * in-process reader, not through pcscd): they run in parallel. A new file's name says where it runs.
 */
const READER = 'test/integration/**/*.reader.test.ts';

/**
 * Six projects. `npm test` (scripts/test.sh) runs unit-timing first, alone (it times the main
 * thread); then, at the same time, the files that use the one card reader (integration, then e2e in
 * Debian Chromium, logging in with the card in that reader), one file at a time, and beside them
 * the unit and database-only integration tests, also one file at a time (--maxWorkers=1: two cores).
 * Run on their own (`npx vitest run --project unit`), unit and integration-db files go two at a
 * time (maxWorkers below). installed drives the installed Windows app (only in the Windows workflow).
 * The global setups start PostgreSQL in a temporary directory and pcscd with the vpcd driver.
 */
/**
 * expect.poll waits for a state, so its bound only decides how long a failure takes to show: 1 s
 * (vitest's default) made a poll without its own timeout fail on a busy two-core machine when the
 * page took longer to get there (journal-print-dates e2e under load). 15 s for the projects with
 * a browser, a card reader or a server.
 */
const STATE_POLL = { timeout: 15_000, interval: 50 };

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          exclude: TIMING,
          environment: 'node',
          // Bounds on a hang, not figures (the benches measure speed): PGlite suites set up a whole
          // database in beforeAll, and SQLCipher's key checks took 15 s a test at load 10 (a new
          // machine's npm test beside a soak).
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'unit-timing',
          include: TIMING,
          environment: 'node',
          fileParallelism: false,
          // Their tests open stores and run heavy queries in workers: seconds, more on a busy
          // two-core machine (5.0–5.2 s at load 30, past vitest's 5 s). What they assert is a
          // ratio or a state, not the time a test takes.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration-db',
          include: ['test/integration/**/*.test.ts'],
          exclude: [READER],
          globalSetup: ['test/support/postgres-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: [READER],
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/pcscd-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          expect: { poll: STATE_POLL },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/pcscd-setup.ts'],
          setupFiles: ['test/support/story.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
          expect: { poll: STATE_POLL },
        },
      },
      {
        // The installed Windows app (.github/workflows/windows.yml); skips where OMSORG_INSTALLED_APP is unset.
        test: {
          name: 'installed',
          include: ['test/installed/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
