import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { API_VERSION_HEADER, type KsiList } from '#contract';
import { createWorkstation, type WorkstationOptions } from '../../main/app';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host';
import type { Workstation } from '../../main/workstation';
import { createServer, type ServerSyncOptions } from '../../server/app';
import type { OidcSettings } from '../../server/auth/oidc';
import { openPostgres, type Db } from '../../server/db';
import { writeCardFile } from '../../tools/card';
import { generateTestPki, issuePersonCard, type IssueCardOptions, type TestPki, testPkiTrust } from '../../tools/pki';
import { FaultProxy } from './fault-proxy';
import { createSeededDatabase, type TestDatabase } from './postgres';

export const rendererDir = path.resolve(import.meta.dirname, '../../dist/renderer');

export interface Stack {
  db: Db;
  pki: TestPki;
  serverUrl: string;
  /** The server process-side: stop it (the port stays reserved for it) and start it again on the same port. */
  server: { stop(): Promise<void>; start(): Promise<void>; readonly running: boolean };
  /** With `proxy: true`: the misbehaving proxy the workstation talks through (`serverUrl` is then the proxy's). */
  proxy: FaultProxy | null;
  dataDir: string;
  workstation: Workstation;
  host: BrowserHost;
  /** Issues a card file from the stack's test PKI into a temp folder and returns its path. */
  issueCard(o: IssueCardOptions): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The whole product on this machine, for e2e tests: the real server on a fresh database of the
 * real PostgreSQL, seeded with the demo organisation (a copy of the run's seeded template,
 * `createSeededDatabase`) and trusting a fresh test PKI; the
 * workstation's services on real PC/SC (pcscd + vpcd, started by the global setup); the browser
 * host serving the built renderer (run `npm run build` first; `npm test` does).
 */
export interface StackOptions extends Partial<Pick<WorkstationOptions, 'idleTimeoutMs' | 'card' | 'sync'>> {
  /** Put a FaultProxy between workstation and server (sync fault tests). */
  proxy?: boolean;
  /** Server sync options (retention, event-stream timing). */
  serverSync?: ServerSyncOptions;
  /**
   * Answer login as a server of the release before the version handshake did: no `apiVersion` in
   * the login answer and no API version header (API version 1).
   */
  preHandshakeLogin?: boolean;
  /** Login through an identity provider (e.g. test/support/oidc-idp.ts): the server's settings; the workstation allows its issuer. */
  oidc?: OidcSettings;
  /** The server's session lifetime (default 10 minutes): short, the workstation renews (and learns of an ended session) soon. */
  sessionTtlMs?: number;
  /** The server's KSI list (KSI_LIST_FILE); default the example list. */
  ksi?: KsiList;
}

/** Another workstation on the same server (a colleague's, in tests of two people): its own data folder and browser host. */
export interface SecondWorkstation {
  workstation: Workstation;
  host: BrowserHost;
  close(): Promise<void>;
}

export async function startSecondWorkstation(serverUrl: string, name: string, opts: Partial<Pick<WorkstationOptions, 'sync' | 'support'>> = {}): Promise<SecondWorkstation> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `ws-${name}-`));
  const workstation = await createWorkstation({ host: 'browser', serverUrl, dataDir, card: { kind: 'pcsc' }, workstationName: name, ...opts });
  const host = await startBrowserHost({ workstation, rendererDir });
  return {
    workstation,
    host,
    close: async () => {
      await host.close();
      await workstation.close();
    },
  };
}

export async function startStack(hint: string, opts: StackOptions = {}): Promise<Stack> {
  const database: TestDatabase = await createSeededDatabase(hint);
  const db = await openPostgres({ connectionString: database.url });
  const pki = await generateTestPki();
  let serverUrl = '';
  let port = 0;
  let app: FastifyInstance | null = null;
  const startServer = async () => {
    const next = createServer({
      db,
      version: 'test',
      logger: false,
      auth: {
        trust: testPkiTrust(pki),
        expectedOrigin: () => serverUrl,
        ...(opts.oidc ? { oidc: opts.oidc } : {}),
        ...(opts.sessionTtlMs ? { sessionTtlMs: opts.sessionTtlMs } : {}),
      },
      ...(opts.serverSync ? { sync: opts.serverSync } : {}),
      ...(opts.ksi ? { ksi: opts.ksi } : {}),
    });
    if (opts.preHandshakeLogin) {
      next.addHook('onSend', async (request, reply, payload) => {
        reply.removeHeader(API_VERSION_HEADER);
        if (request.url !== '/api/v1/auth/login' || typeof payload !== 'string' || reply.statusCode !== 200) return payload;
        const { apiVersion: _dropped, ...before } = JSON.parse(payload) as Record<string, unknown>;
        return JSON.stringify(before);
      });
    }
    await next.listen({ host: '127.0.0.1', port });
    port = (next.server.address() as AddressInfo).port;
    app = next;
  };
  await startServer();
  const proxy = opts.proxy ? new FaultProxy(() => `http://127.0.0.1:${port}`) : null;
  await proxy?.start();
  serverUrl = proxy ? proxy.url : `http://127.0.0.1:${port}`;
  const server = {
    get running() {
      return app !== null;
    },
    stop: async () => {
      const a = app;
      app = null;
      await a?.close();
    },
    start: async () => {
      if (!app) await startServer();
    },
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), `ws-${hint}-`));
  const workstation = await createWorkstation({ host: 'browser', serverUrl, dataDir, card: opts.card ?? { kind: 'pcsc' }, ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}), ...(opts.sync ? { sync: opts.sync } : {}), ...(opts.oidc ? { idpIssuer: opts.oidc.issuer } : {}), workstationName: `e2e-${hint}` });
  const host = await startBrowserHost({ workstation, rendererDir });
  const cardsDir = mkdtempSync(path.join(tmpdir(), `cards-${hint}-`));
  let n = 0;
  return {
    db,
    pki,
    serverUrl,
    server,
    proxy,
    dataDir,
    workstation,
    host,
    issueCard: async (o) => writeCardFile(path.join(cardsDir, `card-${n++}.json`), await issuePersonCard(pki, o)),
    stop: async () => {
      await host.close();
      await workstation.close();
      await server.stop();
      await proxy?.close();
      await db.close();
      await database.drop();
    },
  };
}
