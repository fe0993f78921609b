import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, isAppUrl, resolveAppPath } from '../../../main/electron/app-protocol';
import { APP_CSP } from '../../../main/electron/csp';
import { startShell } from '../../../main/electron/shell';
import { createFakeElectron } from '../../support/fake-electron';
import { fakeWorkstation } from './workstation-fake';

let appRoot: string;
let handler: (request: Request) => Response | Promise<Response>;

beforeAll(async () => {
  // An app root as packaged: dist/renderer beside a file that must never be served.
  appRoot = mkdtempSync(path.join(tmpdir(), 'shell-app-'));
  const renderer = path.join(appRoot, 'dist', 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Omsorgsportalen</title>');
  writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(appRoot, 'dist', 'secret.txt'), 'outside the renderer root');
  writeFileSync(path.join(appRoot, 'package.json'), '{}');

  // The handler the shell registers, not a separately built one.
  const fake = createFakeElectron();
  await startShell({ electron: fake.electron, createWorkstation: async () => fakeWorkstation().workstation, settings: () => ({ serverUrl: 'http://x', card: { type: 'pcsc' } }), appRoot }).ready;
  handler = fake.protocolHandlers.get('app')!;
});

const get = async (url: string) => handler(new Request(url));

describe('app:// protocol', () => {
  it('serves index.html for / and by name, with the strict CSP', async () => {
    for (const url of ['app://workstation/', 'app://workstation/index.html']) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
      expect(await res.text()).toContain('<title>Omsorgsportalen</title>');
    }
  });

  it('serves assets with their type and the CSP', async () => {
    const res = await get('app://workstation/assets/app.js?v=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the CSP is exactly the policy of the issue', () => {
    expect(APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('answers 404 (with the CSP) for unknown files and directories', async () => {
    for (const url of ['app://workstation/nope.js', 'app://workstation/assets', 'app://workstation/assets/']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    }
  });

  it('refuses path traversal out of dist/renderer with 404', async () => {
    for (const url of [
      'app://workstation/../secret.txt',
      'app://workstation/%2e%2e/secret.txt',
      'app://workstation/..%2fsecret.txt',
      'app://workstation/assets/..%2f..%2fsecret.txt',
      'app://workstation/..%2f..%2fpackage.json',
      'app://workstation/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://workstation/..%5c..%5cpackage.json',
      'app://workstation/%2fetc%2fpasswd',
      'app://workstation/index.html%00.js',
      'app://workstation/%E0%A4%A',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('outside the renderer root');
    }
  });

  it('serves nothing for another host of the scheme', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
  });

  it('accepts only GET and HEAD', async () => {
    const res = await handler(new Request('app://workstation/index.html', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(405);
    const head = await handler(new Request('app://workstation/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('resolveAppPath and isAppUrl', () => {
  it('keeps every resolved path inside the root', () => {
    const root = path.resolve('/srv/r');
    expect(resolveAppPath(root, 'app://workstation/a/b.js')).toBe(path.join(root, 'a', 'b.js'));
    expect(resolveAppPath(root, 'app://workstation/..%2f..%2fetc/passwd')).toBeNull();
    expect(resolveAppPath(root, 'https://workstation/index.html')).toBeNull();
  });

  it('knows our origin', () => {
    expect(isAppUrl('app://workstation/index.html#/x')).toBe(true);
    expect(isAppUrl('app://user:pw@workstation/')).toBe(false);
    expect(isAppUrl('app://workstation.evil/')).toBe(false);
    expect(isAppUrl('https://workstation/')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });

  it('a handler without a renderer build answers 404, not an exception', async () => {
    const h = createAppProtocolHandler({ root: path.join(tmpdir(), 'does-not-exist-renderer') });
    expect((await h(new Request('app://workstation/index.html'))).status).toBe(404);
  });
});
