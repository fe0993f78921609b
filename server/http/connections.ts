import type { Server } from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';

/**
 * What bounds slow and many connections (issue 25 point 4; docs/security.md, "Slow and many
 * connections"). Fastify's own defaults are 0 (unbounded) for the request and connection
 * timeouts, so one anonymous client holding 20,000 half-open sockets used up the file descriptors.
 */
export interface HttpLimits {
  /** Time from the connection (or the previous request) to the end of the request's headers; default 10 s. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included; default 120 s (an attachment over a slow line). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; default 30 s. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way is closed after this; default 90 s (above the event stream's 25 s keep-alive). */
  idleTimeoutMs: number;
  /** Open connections per remote address, trusted proxies exempt; beyond it a new one is closed at once. Default 1,000. */
  connectionsPerAddress: number;
  /** Open connections in all; 0: no limit but the file descriptors. Default 0. */
  maxConnections: number;
  /** Open event streams (GET /api/v1/sync/events) per session; a further one closes the oldest. Default 4. */
  eventStreamsPerSession: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 30_000,
  idleTimeoutMs: 90_000,
  connectionsPerAddress: 1_000,
  maxConnections: 0,
  eventStreamsPerSession: 4,
};

/** `::ffff:10.0.0.1` is 10.0.0.1. */
export const plainAddress = (address: string): string => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/**
 * The proxies whose X-Forwarded-For the server believes (TRUSTED_PROXIES): addresses or CIDR
 * ranges, IPv4 or IPv6. Empty: nobody's; the client address is the socket's.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries.map((e) => parseProxyEntry(e).text);
    for (const e of entries) {
      const { address, prefix, family } = parseProxyEntry(e);
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, prefix, family);
    }
  }

  get any(): boolean {
    return this.entries.length > 0;
  }

  has(address: string | undefined): boolean {
    if (!address || this.entries.length === 0) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** One TRUSTED_PROXIES entry: `10.0.0.5`, `10.0.0.0/24`, `::1`, `fd00::/8`; anything else throws. */
export function parseProxyEntry(entry: string): { text: string; address: string; prefix?: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const version = isIP(address);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  if (version === 0 || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefixText!) || prefix > max))) {
    throw new Error(`TRUSTED_PROXIES: not an address or CIDR range: ${entry}`);
  }
  return { text: entry.trim(), address, ...(prefix === undefined ? {} : { prefix }), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The options Fastify and Node's HTTP server take for these limits. */
export function fastifyTimeouts(limits: HttpLimits) {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired header and request times this often (its default, 30 s, would let a
      // half-open socket live up to 40 s past a 10 s header time).
      connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  };
}

/**
 * Counts open connections per remote address on `server` and closes a new one beyond the limit at
 * once (before a byte is parsed), and beyond `maxConnections` in all. Connections from trusted
 * proxies are not counted per address: every workstation behind the proxy shares its address.
 * Refusals are reported once per `windowMs` as a count (never one log line per socket).
 */
export function limitConnections(
  server: Server,
  limits: Pick<HttpLimits, 'connectionsPerAddress' | 'maxConnections'>,
  proxies: TrustedProxies,
  report: (summary: { refused: number; addresses: number; windowMs: number }) => void,
  windowMs = 60_000,
): { open(address: string): number; refused(): number } {
  const open = new Map<string, number>();
  let total = 0;
  let refusedTotal = 0;
  let refusedInWindow = 0;
  const refusingAddresses = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (refusedInWindow > 0) report({ refused: refusedInWindow, addresses: refusingAddresses.size, windowMs });
    refusedInWindow = 0;
    refusingAddresses.clear();
  };
  const refuse = (socket: Socket, address: string) => {
    refusedTotal++;
    refusedInWindow++;
    refusingAddresses.add(address);
    // The first refusal of a window is told at once; the rest at the window's end as one count.
    if (!timer) {
      report({ refused: 1, addresses: 1, windowMs });
      refusedInWindow = 0;
      refusingAddresses.clear();
      timer = setTimeout(flush, windowMs);
      timer.unref();
    }
    socket.destroy();
  };
  // Node's HTTP server sets up a parser for every connection in its own 'connection' listener: a
  // refused socket is closed before it, so a flood of them costs an accept and a close, no more.
  const http = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress ?? '');
    if (limits.maxConnections > 0 && total >= limits.maxConnections) return refuse(socket, address);
    const counted = !proxies.has(address);
    const n = (open.get(address) ?? 0) + 1;
    if (counted && n > limits.connectionsPerAddress) return refuse(socket, address);
    for (const listener of http) listener.call(server, socket);
    total++;
    if (counted) open.set(address, n);
    socket.once('close', () => {
      total--;
      if (!counted) return;
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  server.once('close', () => {
    clearTimeout(timer);
    flush();
  });
  return { open: (address) => open.get(plainAddress(address)) ?? 0, refused: () => refusedTotal };
}
