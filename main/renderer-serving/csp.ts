/**
 * The Content-Security-Policy of every page of the workstation, in Electron (app://) and in the
 * browser host alike: only our own bundled code and styles, no inline script, no plugins, no
 * framing, no forms posting anywhere. `connect` adds the endpoints a host's page talks to beyond
 * its own origin (the browser host's WebSocket).
 */
export function contentSecurityPolicy(opts: { connect?: readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...(opts.connect ?? [])].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The headers every served page and file carries: the CSP, no sniffing, no referrer, its own browsing context group. */
export const securityHeaders = (csp: string): Readonly<Record<string, string>> => ({
  'Content-Security-Policy': csp,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
});
