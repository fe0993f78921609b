import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { RowBatch } from '../../../main/store/kind';

/** RowBatch (main/store/kind.ts): a page's upserts, many rows per statement, every row once, later values winning. */
describe('RowBatch', () => {
  const open = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT, n INTEGER NOT NULL)');
    const batch = new RowBatch<{ id: string; v: string | null }>(
      db,
      { insert: 'INSERT INTO t (id, v, n)', row: '(?, ?, 1)', conflict: 'ON CONFLICT (id) DO UPDATE SET v = excluded.v, n = t.n + 1' },
      2,
      (r) => [r.id, r.v],
    );
    return { db, batch };
  };
  const rows = (n: number, v: string | null, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `id-${from + i}`, v: v === null ? null : `${v}${from + i}` }));

  it.each([0, 1, 2, 3, 255, 256, 257, 511, 600, 1_000])('inserts %i rows, each once, in order', (n) => {
    const { db, batch } = open();
    batch.run(rows(n, 'a'));
    const got = db.prepare('SELECT id, v, n FROM t ORDER BY rowid').all() as { id: string; v: string; n: number }[];
    expect(got).toEqual(rows(n, 'a').map((r) => ({ ...r, n: 1 })));
  });

  it('upserts over rows already there (NULL bound as NULL), and a repeated id within one statement ends with its last values', () => {
    const { db, batch } = open();
    batch.run(rows(300, 'a'));
    batch.run([...rows(200, null, 100), { id: 'id-0', v: 'x' }, { id: 'id-0', v: 'y' }]);
    expect(db.prepare('SELECT count(*) AS c FROM t').get()).toEqual({ c: 300 });
    expect(db.prepare("SELECT v, n FROM t WHERE id = 'id-0'").get()).toEqual({ v: 'y', n: 3 });
    expect(db.prepare("SELECT v, n FROM t WHERE id = 'id-150'").get()).toEqual({ v: null, n: 2 });
    expect(db.prepare("SELECT v, n FROM t WHERE id = 'id-99'").get()).toEqual({ v: 'a99', n: 1 });
  });
});
