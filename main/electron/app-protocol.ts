import { readFile } from 'node:fs/promises';
import { contentTypeOf, resolveStatic } from '../renderer-serving/static-files';
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
 * (main/renderer-serving/static-files.ts). `/` is index.html.
 */
export function resolveAppPath(root: string, url: string): string | null {
  return isAppUrl(url) ? resolveStatic(root, new URL(url).pathname) : null;
}

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
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...APP_SECURITY_HEADERS, 'Content-Type': contentTypeOf(file), 'Cache-Control': 'no-cache' },
    });
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...APP_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
