import { defineConfig } from 'vitest/config';

/**
 * Four projects: unit tests run in parallel; integration tests use the real PostgreSQL and the
 * real pcscd/vpcd reader (one shared reader, so one file at a time); e2e drives Debian Chromium;
 * installed drives the installed Windows app (only in the Windows workflow).
 * The global setups start PostgreSQL in a temporary directory and pcscd with the vpcd driver.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/pcscd-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/pcscd-setup.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
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
