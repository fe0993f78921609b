/**
 * SMS through an HTTP gateway (docs/login.md "SMS-gateway"): GET <SMS_GATEWAY_URL> with `to` and
 * `text` added to its query, as Kannel's smsbox `/cgi-bin/sendsms` takes them (its username and
 * password stay in the configured URL; most gateways offer this form). Any 2xx is sent. The text
 * holds the code, so neither it nor the number is ever logged; a failure says only the status.
 */
export interface SmsGatewayConfig {
  url: string;
  /** Sender name or number (`from`), when the gateway wants one. */
  from?: string;
  timeoutMs?: number;
}

export type SmsSender = (to: string, text: string) => Promise<void>;

export class SmsGatewayError extends Error {}

export function httpSmsSender(config: SmsGatewayConfig): SmsSender {
  return async (to, text) => {
    const url = new URL(config.url);
    url.searchParams.set('to', to);
    url.searchParams.set('text', text);
    if (config.from) url.searchParams.set('from', config.from);
    let status: number;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(config.timeoutMs ?? 5000), redirect: 'error' });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      throw new SmsGatewayError(`SMS-gatewayen kunde inte nås (${(e as Error).name})`);
    }
    if (status < 200 || status > 299) throw new SmsGatewayError(`SMS-gatewayen svarade HTTP ${status}`);
  };
}

/** The SMS's text: the code and what it is for, never anything about the person. */
export const smsText = (code: string): string => `Din engångskod till Omsorgsportalen: ${code}. Gäller i 5 minuter. Lämna den aldrig till någon.`;
