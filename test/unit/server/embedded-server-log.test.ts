import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleLine, SWEDISH_MESSAGES } from '../../../scripts/embedded-server';

/** Every warning and error text the server logs (log.warn/error/fatal with a literal message, and the OCSP client's). */
function serverWarningTexts(): string[] {
  const dir = path.resolve(import.meta.dirname, '../../../server');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const texts: string[] = [];
  for (const f of files) {
    const source = readFileSync(path.join(dir, f), 'utf8');
    for (const m of source.matchAll(/log(?:\?\.)?\.(?:warn|error|fatal)\?*\.?\(\s*(?:\{[^;]*?\},\s*)?'([^']+)'\)/g)) texts.push(m[1]!);
    for (const m of source.matchAll(/opts\.log\?\.\([^;]*?,\s*'([^']+)'\)/g)) texts.push(m[1]!);
  }
  return texts;
}

describe('npm start: what of the embedded server’s log reaches the console', () => {
  it('requests and other information go only to the log file', () => {
    expect(consoleLine('{"level":30,"msg":"incoming request","req":{"url":"/health"}}')).toBeNull();
    expect(consoleLine('{"level":20,"msg":"debug"}')).toBeNull();
  });
  it('warnings and errors become one Swedish line', () => {
    expect(consoleLine('{"level":40,"msg":"OCSP är avstängt"}')).toBe('[server] varning: OCSP är avstängt');
    expect(consoleLine('{"level":50,"msg":"request failed","err":{}}')).toBe('[server] fel: en begäran misslyckades (se loggfilen)');
    expect(consoleLine('{"level":60,"msg":"gallringen misslyckades"}')).toBe('[server] allvarligt fel: gallringen misslyckades');
  });
  it('every warning and error the server logs is Swedish on the console (written in Swedish, or in the table)', () => {
    const texts = serverWarningTexts();
    // The reader finds them (the startup warnings, the request errors, the OCSP client's).
    expect(texts).toEqual(expect.arrayContaining(['request failed', 'rate limit reached', 'OCSP: no verified answer and none within the grace; refused (fails closed)']));
    expect(texts.some((t) => t.startsWith('OCSP är avstängt'))).toBe(true);
    // Swedish: a Swedish letter or word; otherwise the table must have it.
    const swedish = (t: string) => /[åäöÅÄÖ]|\b(inte|och|misslyckades|satt)\b/.test(t);
    expect(texts.filter((t) => !swedish(t) && !(t in SWEDISH_MESSAGES))).toEqual([]);
    // And the table holds nothing the server no longer says.
    expect(Object.keys(SWEDISH_MESSAGES).filter((k) => !texts.includes(k))).toEqual([]);
  });
  it('text that is not a log line (a crash’s stack trace) is shown as it is', () => {
    expect(consoleLine('Error: listen EADDRINUSE')).toBe('[server] Error: listen EADDRINUSE');
    expect(consoleLine('   ')).toBeNull();
  });
});
