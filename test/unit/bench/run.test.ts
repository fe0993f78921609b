import { describe, expect, it } from 'vitest';
import { benches } from '../../../bench/run';

describe('npm run bench', () => {
  it('offers the modules that declare a run(args), not the ones the benchmarks share', () => {
    const names = benches();
    expect(names).toEqual(expect.arrayContaining(['login', 'sync', 'store', 'ui', 'journal', 'server']));
    for (const shared of ['run', 'report', 'server-load', 'generated', 'sync-conditions', 'placement', 'sync-workstation', 'startup-app', 'abuse-holder']) expect(names).not.toContain(shared);
  });
});
