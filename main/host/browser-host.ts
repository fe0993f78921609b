import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { DOWNLOAD_PATH, HOST_SECRET_PARAM, LAUNCH_PATH, WS_PATH, WsCall, err, type WsServerFrame } from '#contract';
import type { ExportDocument, ExportSink } from '../exports/export-sink';
import { contentSecurityPolicy, securityHeaders } from '../renderer-serving/csp';
import { contentTypeOf, resolveStatic } from '../renderer-serving/static-files';
import type { Workstation } from '../workstation';

export interface BrowserHostOptions {
  workstation: Workstation;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 = a random free port. */
  port?: number;
}

export interface BrowserHost {
  /** The page to open, with the per-launch secret. */
  url: string;
  origin: string;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 1024 * 1024;
/** A download not fetched within this is gone (the user's click fetches it at once). */
const DOWNLOAD_TTL_MS = 120_000;

/**
 * Serves the workstation to a browser: the renderer's files over http on 127.0.0.1 and the typed
 * contract over one WebSocket. The WebSocket is the only door to data and opens only with this
 * launch's secret and from this host's own Origin, so another local page or process cannot use it.
 */
export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const secret = randomBytes(32).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  let origin = '';
  // Exports waiting for their one download, by a random token: they never touch the disk here.
  const downloads = new Map<string, { doc: ExportDocument; inline: boolean; timer: ReturnType<typeof setTimeout> }>();
  const sink: ExportSink = {
    async deliver(doc, how) {
      const token = randomBytes(24).toString('base64url');
      const timer = setTimeout(() => downloads.delete(token), DOWNLOAD_TTL_MS);
      timer.unref();
      // Printing in a browser: the PDF opens in its viewer, whose print button is the system dialog.
      downloads.set(token, { doc, inline: how === 'print', timer });
      return { kind: 'download', url: `${DOWNLOAD_PATH}/${token}?${HOST_SECRET_PARAM}=${encodeURIComponent(secret)}` };
    },
  };
  opts.workstation.useExportSink(sink);

  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === LAUNCH_PATH) {
      // An old tab after a restart learns that it is one (and says so) instead of "server unreachable".
      res.writeHead(secretMatches(url.searchParams.get(HOST_SECRET_PARAM), secret) ? 204 : 410, { 'cache-control': 'no-store' }).end();
      return;
    }
    if (url.pathname.startsWith(`${DOWNLOAD_PATH}/`)) {
      const token = url.pathname.slice(DOWNLOAD_PATH.length + 1);
      const found = secretMatches(url.searchParams.get(HOST_SECRET_PARAM), secret) ? downloads.get(token) : undefined;
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Filen finns inte längre. Skapa utskriften igen.');
        return;
      }
      downloads.delete(token);
      clearTimeout(found.timer);
      res.writeHead(200, {
        'content-type': 'application/pdf',
        'content-disposition': contentDisposition(found.inline ? 'inline' : 'attachment', found.doc.fileName),
        'content-length': found.doc.pdf.length,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : found.doc.pdf);
      return;
    }
    const file = resolveStatic(root, url.pathname);
    const body = file && (await readFile(file).catch(() => null));
    if (!file || !body) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Hittades inte');
      return;
    }
    res.writeHead(200, {
      ...securityHeaders(contentSecurityPolicy({ connect: [origin.replace(/^http/, 'ws')] })),
      'content-type': contentTypeOf(file),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  http.on('upgrade', (req, socket, head) => {
    if (!admits(req, origin, secret)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, opts.workstation));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?${HOST_SECRET_PARAM}=${secret}`,
    origin,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function admits(req: IncomingMessage, origin: string, secret: string): boolean {
  const url = new URL(req.url ?? '/', origin);
  if (url.pathname !== WS_PATH) return false;
  if (req.headers.origin !== origin) return false;
  return secretMatches(url.searchParams.get(HOST_SECRET_PARAM), secret);
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function contentDisposition(type: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function secretMatches(given: string | null, secret: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function serve(ws: WebSocket, workstation: Workstation): void {
  const send = (frame: WsServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = workstation.onEvent((name, payload) => send({ kind: 'event', name, payload }));
  ws.on('close', unsubscribe);
  ws.on('message', async (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'text frames only');
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'invalid JSON');
    }
    const call = WsCall.safeParse(frame);
    if (!call.success) {
      const id = typeof (frame as { id?: unknown })?.id === 'number' ? (frame as { id: number }).id : -1;
      return send({ kind: 'reply', id, result: err('VALIDATION', 'invalid call over the WebSocket') });
    }
    const result = await workstation.dispatch(call.data.method, call.data.input);
    send({ kind: 'reply', id: call.data.id, result });
  });
}
