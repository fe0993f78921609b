import { beforeEach } from 'vitest';

/**
 * An end-to-end file is one story: each test goes on from the page, the cards and the data the
 * tests before it left. After one fails, the rest would each wait out their own timeouts on a
 * page in an unknown state (a file of a dozen tests ran past 20 minutes that way under load) and
 * report failures that only repeat the first. So the rest of the file is skipped, naming the
 * test that failed: a failure shows within one test's timeout, with its own message.
 * (vitest.config.ts, e2e project: setupFiles.)
 */
let failed: string | null = null;

beforeEach((ctx) => {
  if (failed !== null) ctx.skip(`skipped: "${failed}" failed before it in this file`);
  ctx.onTestFailed(() => {
    failed = ctx.task.name;
  });
});
