import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAccessLog, rowHash, verifyChain, workstationLabel } from '../../../server/audit/access-log';
import type { Db } from '../../../server/db/types';
import { demoDb } from './helpers';

describe('SqlAccessLog (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await demoDb({ seed: false });
  });
  afterAll(() => db.close());

  const last = async () =>
    (await db.query<Record<string, unknown>>('SELECT * FROM access_log ORDER BY id DESC LIMIT 1')).rows[0]!;

  it('records a read of a record with who, which client, what, when and where', async () => {
    const at = new Date('2026-03-01T08:15:30.123Z');
    await new SqlAccessLog(db).record({
      action: 'read',
      outcome: 'success',
      actorStaffId: '00000000-0000-4000-8000-000000000101',
      actorHsaId: 'SE2321000131-P000000000101',
      clientId: '00000000-0000-4000-8000-0000000000c1',
      recordType: 'journal_entry',
      recordId: '00000000-0000-4000-8000-0000000000e1',
      workstation: 'WS-042',
      at,
    });
    expect(await last()).toMatchObject({ action: 'read', record_type: 'journal_entry', workstation: 'WS-042', at });
  });

  it('refuses identifiers that are not identifiers, without echoing them', async () => {
    const log = new SqlAccessLog(db);
    const attempts = [
      { clientId: '191212121212' },
      { recordId: '191212121212' },
      { recordId: 'Tolvan Tolvansson' },
      { actorHsaId: '19121212-1212' },
      { recordType: 'Journal Entry' },
      { certSha256: 'abc' },
    ];
    for (const extra of attempts) {
      const error = await log.record({ action: 'read', outcome: 'success', ...extra }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^access log: invalid \w+$/);
    }
  });

  it('masks a personnummer in a workstation label and keeps only harmless characters', async () => {
    expect(workstationLabel('WS 191212121212')).toBe('WS [personnummer]');
    expect(workstationLabel("Anna's <b>laptop</b>")).toBe('Anna_s _b_laptop__b_');
    expect(workstationLabel('x'.repeat(300))).toHaveLength(100);
    expect(workstationLabel(undefined)).toBeNull();
    await new SqlAccessLog(db).record({ action: 'login_failed', outcome: 'failure', errorCode: 'NONCE_INVALID', workstation: 'WS-19121212-1212' });
    expect((await last()).workstation).toBe('WS-[personnummer]');
  });

  it('computes the same hash in TypeScript as the trigger does in SQL, and the chain verifies', async () => {
    const { rows } = await db.query<{ h: string; hash: string }>('SELECT access_log_row_hash(a) AS h, hash FROM access_log a');
    for (const r of rows) expect(r.h).toBe(r.hash);
    expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 2 });
    expect(
      rowHash({
        id: '1', at: new Date(0), actorStaffId: null, actorHsaId: null, action: 'read', outcome: 'success', errorCode: null,
        clientId: null, recordType: null, recordId: 'å', workstation: null, certSha256: null, authMethod: null, loa: null, prevHash: '0'.repeat(64),
      }),
    ).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes non-ASCII text by its UTF-8 bytes on both sides', async () => {
    await new SqlAccessLog(db).record({ action: 'copy', outcome: 'success', workstation: 'Hemtjänst Majorna – kontoret 𝄞' });
    expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 3 });
  });

  it('records the method and level of a session (form v2), hashed alike in SQL and TypeScript, the older rows still v1', async () => {
    const log = new SqlAccessLog(db);
    await log.record({ action: 'login', outcome: 'success', actorHsaId: 'SE2321000131-P000000000101', authMethod: 'oidc', loa: 2 });
    expect(await last()).toMatchObject({ action: 'login', auth_method: 'oidc', loa: 2 });
    await log.record({ action: 'logout', outcome: 'success', actorHsaId: 'SE2321000131-P000000000101', authMethod: 'card', loa: 3 });
    const { rows } = await db.query<{ h: string; hash: string }>('SELECT access_log_row_hash(a) AS h, hash FROM access_log a');
    for (const r of rows) expect(r.h).toBe(r.hash);
    expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 5 });
    const bare = { id: '9', at: new Date(0), actorStaffId: null, actorHsaId: null, action: 'login', outcome: 'success', errorCode: null, clientId: null, recordType: null, recordId: null, workstation: null, certSha256: null, prevHash: '0'.repeat(64) };
    // The level is in the hash: a row altered from LoA2 to LoA3 no longer fits.
    expect(rowHash({ ...bare, authMethod: 'oidc', loa: 2 })).not.toBe(rowHash({ ...bare, authMethod: 'oidc', loa: 3 }));
    expect(rowHash({ ...bare, authMethod: null, loa: null })).not.toBe(rowHash({ ...bare, authMethod: 'oidc', loa: null }));
    for (const bad of [{ authMethod: 'magic' }, { loa: 7 }]) {
      await expect(log.record({ action: 'login', outcome: 'success', ...(bad as object) })).rejects.toThrow(/^access log: invalid (authMethod|loa)$/);
    }
  });

  it('records events from many requests at once in few statements (group commit); each resolves once stored, and a bad one fails alone', async () => {
    const log = new SqlAccessLog(db);
    const stored = async (from: number) =>
      (await db.query<{ workstation: string; xmin: string }>('SELECT workstation, xmin::text AS xmin FROM access_log WHERE id > $1::bigint ORDER BY id', [String(from)])).rows;
    const last = async () => Number((await db.query<{ n: string }>('SELECT coalesce(max(id), 0) AS n FROM access_log')).rows[0]!.n);
    let before = await last();
    await Promise.all(Array.from({ length: 40 }, (_v, i) => log.record({ action: 'read', outcome: 'success', recordType: 'sync', workstation: `WS-${i}` })));
    let rows = await stored(before);
    expect(rows.map((r) => r.workstation).sort()).toEqual(Array.from({ length: 40 }, (_v, i) => `WS-${i}`).sort());
    // The first went alone (the log was idle); the 39 that waited behind it went together.
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(2);

    before = await last();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_v, i) =>
        // One action the database's check refuses (the type system would not let a caller send it).
        log.record({ action: (i === 7 ? 'bogus' : 'read') as 'read', outcome: 'success', recordType: 'sync', workstation: `WS-b${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 10 }, (_v, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    rows = await stored(before);
    expect(rows.map((r) => r.workstation).sort()).toEqual(Array.from({ length: 10 }, (_v, i) => `WS-b${i}`).filter((w) => w !== 'WS-b7').sort());
    expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 5 + 40 + 9 });
  });
});
