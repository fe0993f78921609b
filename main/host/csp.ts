/**
 * The browser host's Content-Security-Policy: the same strictness as the Electron shell's, plus
 * the one WebSocket endpoint the page talks to.
 */
export const browserHostCsp = (origin: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${origin.replace(/^http/, 'ws')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
