import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy between the workstation and the server that can misbehave on purpose: drop the
 * connection after the server has answered a push (the acknowledgement is lost), drop or falsify
 * a pull answer's `x-sync-next` header, answer a push 500 (one poisoned mutation) or everything 500, or refuse to connect at all;
 * hold a server's answer back (a slow server that applied the request but answers late), or cut a request off before it
 * reaches the server. Streams (SSE) pass through. Counts what it forwarded.
 */
export class FaultProxy {
  /** Pushes still to "lose": forwarded and applied by the server, then the client's socket is destroyed. */
  dropPushAcks = 0;
  /** Called with each push body before it is forwarded. */
  onPush: ((body: string) => void) | null = null;
  /** A push whose body this matches is not forwarded but answered 500 (a server that fails on one mutation). */
  failPush: ((body: string) => boolean) | null = null;
  /** Every request is answered 500 (a server whose database is down). */
  failAll = false;
  /** A request this matches is answered 500 (one part of the server is down, for one workstation). */
  failRequest: ((req: IncomingMessage) => boolean) | null = null;
  readonly pushes: string[] = [];
  /** Pull requests forwarded. */
  pulls = 0;
  /** Pull answers lose their `x-sync-next` header (a server from before it). */
  stripPullNext = false;
  /** Rewrites a pull answer's `x-sync-next` header (a server whose header and body disagree). */
  tamperPullNext: ((header: string) => string) | null = null;
  /** Ms to hold the server's answer to a request back before passing it on (0: at once). The server has applied it meanwhile. */
  delayAnswer: ((req: { method: string; url: string; body: string }) => number) | null = null;
  /** A request this matches never reaches the server: its connection is cut (a network that drops it). */
  dropRequest: ((req: { method: string; url: string; body: string }) => boolean) | null = null;
  /** Bodies of the provider's assignment actions (POST /api/v1/assignments/:id/actions) that reached the server. */
  readonly actions: string[] = [];
  private server: Server | null = null;
  port = 0;

  constructor(private readonly target: () => string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.forward(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const isPush = req.url === '/api/v1/sync/push';
    const isPull = req.url === '/api/v1/sync/pull';
    if (isPull) this.pulls++;
    if (isPush) {
      this.pushes.push(body.toString());
      this.onPush?.(body.toString());
    }
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/', body: body.toString() };
    if (this.dropRequest?.(seen)) {
      res.socket?.destroy();
      return;
    }
    if (seen.method === 'POST' && /^\/api\/v1\/assignments\/[^/]+\/actions$/.test(seen.url)) this.actions.push(seen.body);
    const delay = this.delayAnswer?.(seen) ?? 0;
    if (this.failAll || this.failRequest?.(req) || (isPush && this.failPush?.(body.toString()))) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internt fel' } }));
      return;
    }
    const target = new URL(req.url ?? '/', this.target());
    const up = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (upRes) => {
      if (isPush && this.dropPushAcks > 0 && upRes.statusCode === 200) {
        this.dropPushAcks--;
        upRes.resume();
        upRes.on('end', () => res.socket?.destroy());
        return;
      }
      const headers = { ...upRes.headers };
      const next = headers['x-sync-next'];
      if (isPull && typeof next === 'string') {
        if (this.stripPullNext) delete headers['x-sync-next'];
        else if (this.tamperPullNext) headers['x-sync-next'] = this.tamperPullNext(next);
      }
      const pass = () => {
        if (res.destroyed) return upRes.resume();
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      };
      if (delay > 0) setTimeout(pass, delay);
      else pass();
    });
    up.on('error', () => res.socket?.destroy());
    res.on('close', () => up.destroy());
    up.end(body);
  }
}
