/**
 * The organisation's KSI list on a real PostgreSQL server (docs/plans.md, "KSI codes";
 * docs/operations.md): with KSI_LIST_FILE (Socialstyrelsen's list as IT saves it from Excel) the
 * server hands that list to workstations and refuses a saved draft whose code is outside it, while
 * one inside it is applied; a file that does not parse stops the server at start naming the line;
 * without the file the server says it runs on the example list, not Socialstyrelsen's.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyPlanContent, KsiList, type Mutation, type PlanContent } from '#contract';
import { KsiListCopy } from '../../../main/plans/ksi-list';
import { PlansService } from '../../../main/plans/plans-service';
import { createServerClient } from '../../../main/server-client';
import { openPostgres, type Db } from '../../../server/db';
import { readKsiList } from '../../../server/plans/ksi';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { startServerProcess, stopServerProcess } from '../../support/server-process';
import { startSyncHarness, type Session, type SyncHarness } from '../../unit/server/sync-suite';

/** Real-format codes (seen in Socialstyrelsen's material); the titles are this test's own, not Socialstyrelsen's. */
const CSV = '\uFEFFKod;Benämning;Beskrivning\r\nSIB RC ZZ;Testtitel ett;\r\nSME PH ZZ;"Testtitel två; med semikolon";\r\nSNH RB ZZ;Testtitel tre;\r\n';

let database: TestDatabase;
let db: Db;
let h: SyncHarness;
let anna: Session;
let clientId: string;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'omsorg-ksi-'));
  file = path.join(dir, 'ksi-2022.csv');
  writeFileSync(file, CSV);
  database = await createSeededDatabase('ksi');
  db = await openPostgres({ connectionString: database.url, maxConnections: 5 });
  h = await startSyncHarness(db, { ksi: readKsiList(file), listen: true });
  anna = await h.login('anna');
  const { rows } = await db.query<{ id: string }>('SELECT id FROM clients WHERE unit_id = $1 ORDER BY id LIMIT 1', [h.units.hemtjanst]);
  clientId = rows[0]!.id;
}, 120_000);

afterAll(async () => {
  await h?.app.close();
  await db?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const content = (ksiCode: string | null): PlanContent => ({
  ...emptyPlanContent(),
  areas: [{ lifeArea: 'self_care', needs: '', goals: [{ id: randomUUID(), text: 'Klara morgonrutinen själv' }] }],
  activities: [{ id: randomUUID(), lifeArea: 'self_care', what: 'Stöd vid dusch', who: 'Undersköterska', how: '', when: 'Tisdagar', ksiCode }],
});
const draft = (ksiCode: string | null): Mutation => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'plan.save_draft',
  record: { id: randomUUID(), clientId, baseRevision: 0, basedOnVersionId: null, content: content(ksiCode) },
});

describe('KSI_LIST_FILE: the organisation’s KSI list', () => {
  it('GET /api/v1/ksi hands out the configured list (any session), not the example', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/ksi', headers: { authorization: `Bearer ${anna.token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(KsiList.parse(res.json())).toEqual({
      source: 'file',
      fileName: 'ksi-2022.csv',
      entries: [
        { code: 'SIB RC ZZ', title: 'Testtitel ett' },
        { code: 'SME PH ZZ', title: 'Testtitel två; med semikolon' },
        { code: 'SNH RB ZZ', title: 'Testtitel tre' },
      ],
    });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/ksi' })).statusCode).toBe(401);
  });

  it('a draft with a code of the list is applied; one outside it (a real-format code, or the example list’s) is refused in Swedish and writes nothing', async () => {
    const inside = draft('SME PH ZZ');
    const outside = draft('SMB RB ZZ');
    const example = draft('PMB.AA');
    const { results } = await anna.push(inside, outside, example);
    expect(results.map((r) => r.status)).toEqual(['applied', 'refused', 'refused']);
    expect(results[1]).toMatchObject({ error: { code: 'VALIDATION', message: 'KSI-koden SMB RB ZZ (aktivitet 1) finns inte i KSI-listan. Välj en kod ur listan eller ingen.' } });
    expect(results[2]).toMatchObject({ error: { code: 'VALIDATION', message: expect.stringMatching(/KSI-koden PMB\.AA \(aktivitet 1\) finns inte i KSI-listan/) } });
    const { rows } = await db.query<{ id: string; code: string }>("SELECT id, draft->'activities'->0->>'ksiCode' AS code FROM plans WHERE id = ANY($1::uuid[])", [[inside, outside, example].map((m) => m.record.id)]);
    expect(rows).toEqual([{ id: inside.record.id, code: 'SME PH ZZ' }]);
  });

  it('a draft without a code is applied whatever the list', async () => {
    expect((await anna.push(draft(null))).results[0]!.status).toBe('applied');
  });
});

describe('the workstation’s copy (main/plans/ksi-list.ts)', () => {
  it('fetches the server’s list, keeps it in ksi-list.json, and keeps using it offline after a restart', async () => {
    const dataDir = path.join(dir, 'ws');
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const first = new KsiListCopy({ server: createServerClient(url), token: () => anna.token, dataDir });
    expect(first.current()).toMatchObject({ list: { source: 'example' }, fetchedAt: null });
    const fetched = await first.refresh();
    expect(fetched.list.source).toBe('file');
    expect(fetched.list.entries.map((e) => e.code)).toEqual(['SIB RC ZZ', 'SME PH ZZ', 'SNH RB ZZ']);
    expect(existsSync(path.join(dataDir, 'ksi-list.json'))).toBe(true);
    // Restarted with the server unreachable: the last copy, not the example list.
    const offline = new KsiListCopy({ server: createServerClient('http://127.0.0.1:9', { timeoutMs: 1_000 }), token: () => anna.token, dataDir, log: () => undefined });
    expect(offline.current()).toEqual(fetched);
    expect(await offline.refresh()).toEqual(fetched);
    expect(offline.codes().has('SME PH ZZ')).toBe(true);
  });

  it('the workstation refuses a draft whose code is not in its copy before it is queued, in the server’s words', async () => {
    const copy = new KsiListCopy({ server: createServerClient('http://127.0.0.1:9'), token: () => anna.token, dataDir: path.join(dir, 'ws') });
    const noStore = new Error('the store is not reached');
    const plans = new PlansService({ store: () => Promise.reject(noStore), author: () => { throw noStore; }, access: { record: () => Promise.reject(noStore) }, written: () => undefined, exports: () => { throw noStore; }, ksi: copy });
    const save = (code: string) => plans.saveDraft({ clientId, baseRevision: 0, basedOnVersionId: null, content: content(code) });
    await expect(save('SMB RB ZZ')).rejects.toMatchObject({ code: 'VALIDATION', message: 'KSI-koden SMB RB ZZ (aktivitet 1) finns inte i KSI-listan. Välj en kod ur listan eller ingen.' });
    // A code of the list passes the check and goes on to the store.
    await expect(save('SIB RC ZZ')).rejects.toBe(noStore);
  });
});

describe('the server at start', { timeout: 120_000 }, () => {
  it('stops on a file that does not parse, naming the file and the line in Swedish', async () => {
    const bad = path.join(dir, 'trasig.csv');
    writeFileSync(bad, 'Kod;Benämning\nSIB RC ZZ;Ett\nXYZ nonsense!;Två\n');
    const started = startServerProcess({ DATABASE_URL: database.url, PORT: '0', KSI_LIST_FILE: bad });
    // Should it listen after all, it is stopped here (the assertion below then fails).
    void started.then(stopServerProcess, () => undefined);
    await expect(started).rejects.toThrow(`server failed to start: KSI_LIST_FILE (${bad}): KSI-listan, rad 3: "XYZ NONSENSE!" är inte en KSI-kod`);
  });

  it('reports the list it serves: the file and its number of codes, or the example list as not Socialstyrelsen’s', async () => {
    const withFile = await startServerProcess({ DATABASE_URL: database.url, PORT: '0', KSI_LIST_FILE: file });
    try {
      expect(withFile.stderr()).toContain('KSI-listan: ksi-2022.csv (3 koder)');
    } finally {
      await stopServerProcess(withFile);
    }
    const example = await startServerProcess({ DATABASE_URL: database.url, PORT: '0' });
    try {
      expect(example.stderr()).toContain('KSI-listan: exempellista — inte Socialstyrelsens (1 kod): sätt KSI_LIST_FILE');
    } finally {
      await stopServerProcess(example);
    }
  });
});
