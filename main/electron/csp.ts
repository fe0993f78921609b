import { contentSecurityPolicy, securityHeaders } from '../renderer-serving/csp';

/**
 * The shell's Content-Security-Policy (main/renderer-serving/csp.ts): sent on every app://
 * response and added again to every response in the default session (onHeadersReceived), so no
 * page can run without it.
 */
export const APP_CSP = contentSecurityPolicy();

/** Headers on every app:// response. */
export const APP_SECURITY_HEADERS = securityHeaders(APP_CSP);

/** Response headers with our CSP replacing any the response carried (whatever the header's case). */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [APP_CSP];
  return out;
}
