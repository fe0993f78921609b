import { describe, expect, it } from 'vitest';
import { consoleLine } from '../../../scripts/embedded-server';

describe('npm start: what of the embedded server’s log reaches the console', () => {
  it('requests and other information go only to the log file', () => {
    expect(consoleLine('{"level":30,"msg":"incoming request","req":{"url":"/health"}}')).toBeNull();
    expect(consoleLine('{"level":20,"msg":"debug"}')).toBeNull();
  });
  it('warnings and errors become one Swedish line', () => {
    expect(consoleLine('{"level":40,"msg":"OCSP is off"}')).toBe('[server] varning: OCSP is off');
    expect(consoleLine('{"level":50,"msg":"retention job failed"}')).toBe('[server] fel: retention job failed');
    expect(consoleLine('{"level":60,"msg":"boom"}')).toBe('[server] allvarligt fel: boom');
  });
  it('text that is not a log line (a crash’s stack trace) is shown as it is', () => {
    expect(consoleLine('Error: listen EADDRINUSE')).toBe('[server] Error: listen EADDRINUSE');
    expect(consoleLine('   ')).toBeNull();
  });
});
