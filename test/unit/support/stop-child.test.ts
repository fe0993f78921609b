import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { alive, stopChild } from '../../support/stop-child';
import { LIVE_WAIT_MS } from '../../support/wait';

/** A node child that starts a grandchild in its group and prints its pid; `ignoreTerm` makes both deaf to SIGTERM. */
function family(ignoreTerm: boolean) {
  const deaf = ignoreTerm ? "process.on('SIGTERM', () => {});" : '';
  const grandchild = `${deaf} setInterval(() => {}, 1000);`;
  const script = `${deaf} const g = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' }); console.log(g.pid); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const grandchildPid = new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return { child, grandchildPid };
}

describe('stopChild: a test teardown that cannot hang on a child', () => {
  it('a child that ends on SIGTERM: stopped by SIGTERM, its group with it', async () => {
    const { child, grandchildPid } = family(false);
    const g = await grandchildPid;
    expect(await stopChild(child, { group: true, graceMs: 10_000 })).toBe(true);
    await vi.waitFor(() => expect(alive(g)).toBe(false), { timeout: LIVE_WAIT_MS });
  });

  it('a child that ignores SIGTERM: killed after the grace, with its group, and where its threads were is printed', async () => {
    const { child, grandchildPid } = family(true);
    const g = await grandchildPid;
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await stopChild(child, { group: true, graceMs: 300, name: 'the deaf child' })).toBe(false);
      expect(child.signalCode).toBe('SIGKILL');
      expect(printed.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/^the deaf child did not stop within 300 ms of SIGTERM; killed\. Its threads:/);
      await vi.waitFor(() => expect(alive(g)).toBe(false), { timeout: LIVE_WAIT_MS });
    } finally {
      printed.mockRestore();
    }
  }, 60_000);
});
