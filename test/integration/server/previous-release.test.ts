/**
 * The previous release against this one (issue 33, "Versions"), both ways.
 *
 * This workstation against the previous release's server: the server of
 * PREVIOUS_RELEASE (API 1, before the version handshake), unpacked from git and started as that
 * release starts (`tsx server/main.ts`, its own migrations, PostgreSQL); this release's workstation
 * (in-process software card) logs in to it. The workstation knows its server is older (the session
 * says version 1, from which the renderer shows the Swedish notice), syncs what the older server
 * serves, pushes a journal entry that arrives once (its queue drains), and its support report
 * with the version difference reaches the older server's support view.
 *
 * The previous release's workstation against this server: that release's workstation code (its
 * own main/, run in a child process from the unpacked tree: test/support/previous-workstation.ts)
 * logs in to this release's server process, syncs, and its journal entry arrives once; the server
 * serves it as API version 1 and counts it so in /metrics.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type SessionState } from '#contract';
import { createWorkstation } from '../../../main/app';
import { cardAccessOver } from '../../../main/session/card-access';
import type { Workstation } from '../../../main/workstation';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { sv } from '../../../renderer/src/i18n/sv';
import { writeCardFile } from '../../../tools/card';
import { generateTestPki, issuePersonCard, saveTestPki, testPkiTrust, trustFiles } from '../../../tools/pki';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { PREVIOUS_RELEASE, unpackRelease } from '../../support/previous-release';
import { runNode, startServerProcess, stopServerProcess, type ServerProcess } from '../../support/server-process';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok, waitSynced } from '../sync/helpers';

let database: TestDatabase;
let currentDatabase: TestDatabase;
let current: ServerProcess;
let pkiDir: string;
let saraCard: string;
let release: Awaited<ReturnType<typeof unpackRelease>>;
let server: ServerProcess;
let workstation: Workstation;
let db: pg.Client;
const reader = new DemoInProcessReader('Testläsare');

beforeAll(async () => {
  database = await createTestDatabase('previous_release');
  release = await unpackRelease(PREVIOUS_RELEASE.commit);
  pkiDir = mkdtempSync(path.join(tmpdir(), 'previous-pki-'));
  const pki = await saveTestPki(await generateTestPki(), pkiDir);
  const trust = trustFiles(pkiDir);
  const serverEnv = (url: string) => ({
    DATABASE_URL: url,
    SEED: '1',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    TRUST_ANCHORS: trust.trustAnchors.join(','),
    INTERMEDIATE_CAS: trust.intermediates.join(','),
    REQUIRED_POLICIES: testPkiTrust(pki).requiredPolicies.join(','),
    EMBEDDED: '',
    MIGRATION_DATABASE_URL: '',
  });
  // The previous release's server, from its own tree; this release's, from this one.
  server = await startServerProcess(serverEnv(database.url), { cwd: release.dir, timeoutMs: 120_000 });
  currentDatabase = await createTestDatabase('previous_workstation');
  current = await startServerProcess(serverEnv(currentDatabase.url), { timeoutMs: 120_000 });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ws-previous-release-'));
  workstation = await createWorkstation({ host: 'browser', serverUrl: server.url, dataDir, card: cardAccessOver(reader), sync: fastSync, workstationName: 'e2e-previous-release' });
  saraCard = await writeCardFile(path.join(pkiDir, 'sara.json'), await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' }));
  reader.insert(await openCardFile(saraCard));
}, 180_000);

afterAll(async () => {
  await workstation?.close();
  await stopServerProcess(server);
  await stopServerProcess(current);
  await db?.end();
  await database?.drop();
  await currentDatabase?.drop();
  release?.remove();
});

describe(`this workstation against the previous release's server (${PREVIOUS_RELEASE.commit}, API ${PREVIOUS_RELEASE.apiVersion})`, { timeout: 90_000 }, () => {
  it('logs in, knows the server is older, syncs, sends its queue once, and reports the difference to the support view', async () => {
    // The old server states no API version: it is the release before the handshake.
    const health = await fetch(`${server.url}/health`);
    expect(health.headers.get('x-omsorg-api-version')).toBeNull();

    const session = await ok<SessionState>(workstation, 'session.login', { pin: '123456' });
    expect(session.state).toBe('active');
    expect(session.serverApiVersion).toBe(PREVIOUS_RELEASE.apiVersion);
    expect(API_VERSION).toBeGreaterThan(PREVIOUS_RELEASE.apiVersion);
    expect(sv.app.serverOlder).toMatch(/^Servern har en äldre version än den här arbetsstationen\./);

    await waitSynced(workstation, 30_000);
    const clients = await ok<{ id: string }[]>(workstation, 'clients.list', { limit: 500 });
    expect(clients.length).toBeGreaterThan(0);

    const text = `Besök hos brukaren, skrivet mot den äldre servern ${Date.now()}.`;
    await ok(workstation, 'journal.create', { clientId: clients[0]!.id, eventDate: '2026-05-04', text, lifeArea: null });
    await waitSynced(workstation, 30_000);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE text = $1', [text]);
    expect(rows[0]!.n).toBe(1);

    await expect
      .poll(async () => (await db.query<{ app_version: string }>('SELECT app_version FROM support_reports')).rows.map((r) => r.app_version), { timeout: LIVE_WAIT_MS })
      .toEqual([expect.stringMatching(new RegExp(`\\+api${API_VERSION}-server${PREVIOUS_RELEASE.apiVersion}$`))]);
  });
});

describe(`the previous release's workstation (${PREVIOUS_RELEASE.commit}) against this server`, { timeout: 120_000 }, () => {
  it('is served as API version 1: logs in, syncs, and its journal entry arrives once', async () => {
    const driver = path.join(release.dir, 'test/support/previous-workstation.ts');
    copyFileSync(path.join(import.meta.dirname, '../../support/previous-workstation.ts'), driver);
    const text = `Besök hos brukaren, skrivet på den äldre arbetsstationen ${Date.now()}.`;
    const result = await runNode(
      ['--import', 'tsx', driver],
      { SERVER_URL: current.url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ws-previous-workstation-')), CARD_FILE: saraCard, ENTRY_TEXT: text },
      release.dir,
    );
    // On failure, the server's log beside the workstation's error.
    if (result.code !== 0) console.error(current.stderr().slice(-3000));
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { session: string; clients: number };
    expect(out.session).toBe('active');
    expect(out.clients).toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: currentDatabase.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE text = $1', [text]);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await client.end();
    }
    // It stated no version: the server counts it as version 1.
    const metrics = await (await fetch(`${current.url}/metrics`)).text();
    expect(metrics).toMatch(/^omsorg_workstation_logins_by_api_version_total\{version="1"\} 1$/m);
  });
});
