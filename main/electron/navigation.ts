import { isAppUrl } from './app-protocol';
import type { ShellWebContents } from './electron-api';

/**
 * Public sites staff may open from the workstation, in the system browser. Exact host names over
 * https only: no subdomain wildcards, no credentials in the URL, no other ports.
 */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  'www.socialstyrelsen.se',
  'socialstyrelsen.se',
  'inera.se',
  'www.inera.se',
  'www.1177.se',
]);

/** Whether a link may be handed to `shell.openExternal`. The only place that decides it. */
export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.username === '' && u.password === '' && u.port === '' && EXTERNAL_HOSTS.has(u.hostname);
}

/**
 * Locks down one webContents (the shell attaches this to every one, from `web-contents-created`):
 * it may navigate only within app://workstation; new windows are denied; allow-listed https links
 * open in the system browser instead; <webview> is refused.
 */
export function hardenWebContents(contents: ShellWebContents, openExternal: (url: string) => Promise<void>): void {
  const leave = (url: string) => {
    if (isAllowedExternalUrl(url)) void openExternal(url).catch(() => undefined);
  };
  const guard = (openAllowed: boolean) => (event: { preventDefault(): void; url?: string }, url: string) => {
    const target = event.url ?? url;
    if (isAppUrl(target)) return;
    event.preventDefault();
    if (openAllowed) leave(target);
  };
  contents.on('will-navigate', guard(true));
  contents.on('will-redirect', guard(false));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
}
