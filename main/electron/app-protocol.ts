import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { APP_SECURITY_HEADERS } from './csp';

/**
 * The renderer is served from `app://workstation/…`, a privileged standard+secure scheme, never
 * from file:// (which would give the page access to the whole disk's origin) or http.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'workstation';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Registered before `ready`: standard (real origin, relative URLs), secure (like https). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

/** True for URLs of our own origin. (Node's URL gives "null" as the origin of custom schemes, so compare parts.) */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/**
 * The file under `root` an app:// URL names, or null when the URL is not ours or escapes the root
 * (`..`, encoded separators, NUL bytes). `/` is index.html.
 */
export function resolveAppPath(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${pathname}`);
  const rel = path.relative(base, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return file;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

export type FileReader = (file: string) => Promise<Uint8Array>;

/**
 * `protocol.handle('app', …)`: serves the built renderer (dist/renderer) read-only. Anything
 * outside the root or missing is a 404; every response carries the CSP.
 */
export function createAppProtocolHandler(opts: { root: string; readFile?: FileReader }): (request: Request) => Promise<Response> {
  const read = opts.readFile ?? readFile;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method Not Allowed');
    const file = resolveAppPath(opts.root, request.url);
    if (file === null) return plain(404, 'Not Found');
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return plain(404, 'Not Found');
    }
    const type = contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...APP_SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' },
    });
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...APP_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
