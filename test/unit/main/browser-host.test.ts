import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { APP_CSP } from '../../../main/electron/csp';
import { EventHub } from '../../../main/events';
import type { ExportSink } from '../../../main/exports/export-sink';
import { startBrowserHost, type BrowserHost } from '../../../main/host/browser-host';
import { createRouter } from '../../../main/router';
import type { Workstation } from '../../../main/workstation';
import { handlersWith } from '../../support/handlers';

const unit = { id: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c11', organisationId: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c12', name: 'Hemtjänst Norr', serviceType: 'hemtjanst' as const, clientCount: 2 };

let host: BrowserHost;
let list: ReturnType<typeof vi.fn<() => Promise<(typeof unit)[]>>>;
let hub: EventHub;
let sink: ExportSink | null = null;

beforeEach(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'renderer-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  list = vi.fn<() => Promise<(typeof unit)[]>>(async () => [unit]);
  hub = new EventHub();
  const workstation: Workstation = {
    dispatch: createRouter(handlersWith({ app: { info: async () => ({ name: 'x', version: '1', host: 'browser', serverUrl: 'http://127.0.0.1:1', lastCrashAt: null }) }, units: { list } }), () => ({})),
    onEvent: (l) => hub.on(l),
    close: async () => undefined,
    useExportSink: (s) => {
      sink = s;
    },
  };
  host = await startBrowserHost({ workstation, rendererDir: dir });
});
afterEach(async () => host.close());

const secret = () => new URL(host.url).searchParams.get('k')!;
const wsUrl = (k: string) => `${host.origin.replace('http', 'ws')}/ws?k=${k}`;

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, frame: object): Promise<{ kind: string; id: number; result: { ok: boolean; error?: { code: string } } }> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString())));
    ws.send(JSON.stringify(frame));
  });
}

describe('the browser host', () => {
  it('listens on loopback only, at a random port, with a per-launch secret in the URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?k=[\w-]{43}$/);
  });

  it('serves the renderer with a strict CSP and refuses path traversal', async () => {
    const res = await fetch(`${host.origin}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe');
    // The Electron shell's policy, with the one WebSocket endpoint of this host added.
    expect(csp).toBe(APP_CSP.replace("connect-src 'self'", `connect-src 'self' ${host.origin.replace(/^http/, 'ws')}`));
    expect((await fetch(`${host.origin}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${host.origin}/nothing.js`)).status).toBe(404);
  });

  it('refuses a WebSocket without the secret', async () => {
    await expect(open(wsUrl(''), host.origin)).rejects.toThrow('HTTP 403');
    await expect(open(wsUrl('wrong'), host.origin)).rejects.toThrow('HTTP 403');
  });

  it('refuses a WebSocket from another Origin even with the secret', async () => {
    await expect(open(wsUrl(secret()), 'http://evil.example')).rejects.toThrow('HTTP 403');
  });

  it('answers contract calls and pushes events over an admitted WebSocket', async () => {
    const ws = await open(wsUrl(secret()), host.origin);
    const reply = await call(ws, { kind: 'call', id: 7, method: 'units.list', input: {} });
    expect(reply).toEqual({ kind: 'reply', id: 7, result: { ok: true, value: [unit] } });
    const event = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    hub.emit('session.locked', { reason: 'card_removed' });
    expect(await event).toEqual({ kind: 'event', name: 'session.locked', payload: { reason: 'card_removed' } });
    ws.close();
  });

  it('answers an invalid payload with VALIDATION and the service is never called', async () => {
    const ws = await open(wsUrl(secret()), host.origin);
    const bad = await call(ws, { kind: 'call', id: 1, method: 'units.list', input: { limit: 'all' } });
    expect(bad.result.error?.code).toBe('VALIDATION');
    const badFrame = await call(ws, { kind: 'call', id: 'x', method: 5 });
    expect(badFrame.result.error?.code).toBe('VALIDATION');
    expect(list).not.toHaveBeenCalled();
    ws.close();
  });
});

describe('exports and old tabs', () => {
  const secretOf = (url: string) => new URL(url).searchParams.get('k')!;
  const doc = { fileName: 'journal-2026-12-24-143000.pdf', pdf: Buffer.from('%PDF-1.7 test'), html: '<p>x</p>' };

  it('hands an export out once as a download named in Swedish local time, only with this launch\'s secret', async () => {
    const delivery = await sink!.deliver(doc, 'save');
    expect(delivery.kind).toBe('download');
    const url = new URL((delivery as { url: string }).url, host.origin);
    const wrong = new URL(url);
    wrong.searchParams.set('k', 'not-the-secret');
    expect((await fetch(wrong)).status).toBe(404);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="journal-2026-12-24-143000.pdf"; filename*=UTF-8''journal-2026-12-24-143000.pdf`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.7 test');
    expect((await fetch(url)).status).toBe(404); // once
  });

  it('a print opens inline (the browser\'s PDF viewer prints)', async () => {
    const delivery = await sink!.deliver(doc, 'print');
    const res = await fetch(new URL((delivery as { url: string }).url, host.origin));
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="journal-2026-12-24-143000.pdf"/);
  });

  it('answers /launch 204 for this launch\'s secret and 410 for another (an old tab after a restart)', async () => {
    expect((await fetch(`${host.origin}/launch?k=${secretOf(host.url)}`)).status).toBe(204);
    expect((await fetch(`${host.origin}/launch?k=an-old-launch`)).status).toBe(410);
    expect((await fetch(`${host.origin}/launch`)).status).toBe(410);
  });
});
