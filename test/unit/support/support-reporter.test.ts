/**
 * The workstation's telemetry of itself (main/support/support-reporter.ts): what a report says,
 * when reports go, and that nothing goes without a session. The server is replaced at the edge
 * (its fetch); everything else is the real reporter and the real contract.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure, SupportReport, type CardStatus } from '#contract';
import { createServerClient } from '../../../main/server-client';
import { SupportReporter, type SupportReporterOptions } from '../../../main/support/support-reporter';

const CARD: CardStatus = { service: 'ok', readers: [{ name: 'Virtual PCD 00 00', cardPresent: true }, { name: 'Virtual PCD 00 01', cardPresent: false }], selectedReader: 'Virtual PCD 00 00', pin: { triesLeft: 3, blocked: false } };

let reporters: SupportReporter[] = [];
afterEach(() => {
  for (const r of reporters) r.stop();
  reporters = [];
});

function setup(o: Partial<SupportReporterOptions> & { loggedIn?: () => boolean } = {}) {
  const sent: { url: string; auth: string | null; body: unknown }[] = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    sent.push({ url: String(url), auth: new Headers(init?.headers).get('authorization'), body: JSON.parse(String(init?.body)) });
    return new Response(JSON.stringify({ receivedAt: new Date().toISOString() }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'support-reporter-'));
  const storeFile = path.join(dataDir, 'store.db');
  writeFileSync(storeFile, Buffer.alloc(8192));
  writeFileSync(`${storeFile}-wal`, Buffer.alloc(1024));
  const loggedIn = o.loggedIn ?? (() => true);
  const reporter = new SupportReporter({
    server: createServerClient('http://127.0.0.1:9', { fetch }),
    token: () => {
      if (!loggedIn()) throw new AppFailure('SESSION_LOCKED', 'the workstation is locked');
      return 'a'.repeat(43);
    },
    dataDir,
    workstationName: 'WS-TEST',
    host: 'electron',
    appVersion: '0.1.0',
    card: () => CARD,
    store: () => ({ state: 'open', file: storeFile }),
    queue: async () => ({ pending: 2, oldestAt: '2026-12-02T08:00:00.000Z', refusalCodes: ['PERMISSION_ENDED', 'VALIDATION', 'PERMISSION_ENDED'] }),
    minGapMs: 50,
    ...o,
  });
  reporters.push(reporter);
  return { reporter, sent, dataDir };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the support reporter', () => {
  it('reports at login: version, sync, queue counted, refusals by code, readers, card, login time, store size — and nothing else', async () => {
    const { reporter, sent } = setup();
    reporter.loggedIn();
    await reporter.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('http://127.0.0.1:9/api/v1/support/reports');
    expect(sent[0]!.auth).toBe(`Bearer ${'a'.repeat(43)}`);
    const report = SupportReport.parse(sent[0]!.body);
    expect(report).toMatchObject({
      workstationName: 'WS-TEST',
      appVersion: '0.1.0',
      host: 'electron',
      sync: { lastOkAt: null, outcome: 'none', code: null },
      queue: { count: 2, oldestAt: '2026-12-02T08:00:00.000Z' },
      refusals: { count: 3, codes: [{ code: 'PERMISSION_ENDED', count: 2 }, { code: 'VALIDATION', count: 1 }] },
      card: { service: 'ok', readers: 2, cardPresent: true },
      store: { state: 'open', bytes: 9216 },
    });
    // No PIN counter, no reader names: nothing but what the contract lets through.
    expect(JSON.stringify(sent[0]!.body)).not.toContain('Virtual PCD');
    expect(JSON.stringify(sent[0]!.body)).not.toContain('triesLeft');
  });

  it('reports after sync runs, at most once per gap, with the last outcome and the last good sync', async () => {
    const { reporter, sent } = setup({ minGapMs: 500 });
    reporter.loggedIn();
    await reporter.idle();
    reporter.syncRan({ code: null, at: '2026-12-02T09:00:00.000Z' });
    reporter.syncRan({ code: 'SERVER_UNREACHABLE', at: '2026-12-02T09:01:00.000Z' });
    reporter.syncRan({ code: 'SERVER_UNREACHABLE', at: '2026-12-02T09:02:00.000Z' });
    expect(sent).toHaveLength(1);
    await settle(800);
    await reporter.idle();
    expect(sent).toHaveLength(2);
    expect(SupportReport.parse(sent[1]!.body).sync).toEqual({ lastOkAt: '2026-12-02T09:00:00.000Z', outcome: 'error', code: 'SERVER_UNREACHABLE' });
  });

  it('keeps one random workstation id in the data folder', async () => {
    const first = setup();
    first.reporter.loggedIn();
    await first.reporter.idle();
    const again = setup({ dataDir: first.dataDir });
    again.reporter.loggedIn();
    await again.reporter.idle();
    const id = SupportReport.parse(first.sent[0]!.body).workstationId;
    expect(SupportReport.parse(again.sent[0]!.body).workstationId).toBe(id);
  });

  it('sends nothing without a session, nor after stop', async () => {
    let active = false;
    const { reporter, sent } = setup({ loggedIn: () => active });
    reporter.loggedIn();
    await reporter.idle();
    expect(sent).toHaveLength(0);
    active = true;
    reporter.stop();
    reporter.syncRan({ code: null, at: new Date().toISOString() });
    await settle(100);
    await reporter.idle();
    expect(sent).toHaveLength(0);
  });
  it('a lock or logout while a report is being built sends nothing and logs no off-contract report', async () => {
    let release!: () => void;
    const queueHeld = new Promise<void>((r) => (release = r));
    const logged: string[] = [];
    const { reporter, sent } = setup({
      queue: async () => {
        await queueHeld;
        return { pending: 0, oldestAt: null, refusalCodes: [] };
      },
      log: (_fields: unknown, msg: string) => logged.push(msg),
    });
    reporter.loggedIn();
    reporter.stop();
    release();
    await reporter.idle();
    expect(sent).toHaveLength(0);
    expect(logged).toEqual([]);
  });
});
