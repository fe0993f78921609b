import { defineConfig } from 'vitest/config';

/** Unit tests that measure the main thread's stalls or time a worker's start: alone, with the other core idle. */
const TIMING = ['test/unit/store/worker.test.ts', 'test/unit/main/worker-start.test.ts'];

/**
 * Integration test files that need PostgreSQL but not the one card reader (each file makes its own
 * database, roles carry a random suffix, servers listen on port 0; the workstation stacks below log
 * in with a software card in an in-process reader, not through pcscd): they run in parallel.
 */
const DATABASE_ONLY = [
  'test/integration/server/**/*.test.ts',
  'test/integration/plans/**/*.test.ts',
  'test/integration/deviations/**/*.test.ts',
  'test/integration/sync/kinds.test.ts',
  'test/integration/sync/workstation-creates.test.ts',
  'test/integration/sync/convergence.test.ts',
  'test/integration/sync/crash.test.ts',
  'test/integration/sync/faults.test.ts',
  'test/integration/sync/store-unreadable.test.ts',
  'test/integration/inbox/scope.test.ts',
  'test/integration/journal/journal.test.ts',
  'test/integration/journal/draft-crash.test.ts',
  'test/integration/session/session.test.ts',
];

/**
 * Six projects. Unit tests and the database-only integration tests run first, two files at a
 * time (vitest's default on two cores is one: everything ran in series). Then, one file at a
 * time: the unit tests that time the main thread (unit-timing), the integration tests that use
 * the real pcscd/vpcd reader (one shared reader) and e2e (Debian Chromium, logging in with the
 * card in that reader). installed drives the installed
 * Windows app (only in the Windows workflow).
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
          // PGlite suites set up a whole database in beforeAll; with two files at a time 5 s and 10 s are tight.
          testTimeout: 15_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'unit-timing',
          include: TIMING,
          environment: 'node',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration-db',
          include: DATABASE_ONLY,
          globalSetup: ['test/support/postgres-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: DATABASE_ONLY,
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
