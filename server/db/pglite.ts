import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { DATE_OID, parseDate, type Db, type Queryable, transactionSetup } from './types';

/**
 * Embedded PostgreSQL (PGlite, WebAssembly, in process). With `dataDir` the database lives in
 * that folder; without, in memory (tests).
 */
export async function openPglite(options: { dataDir?: string } = {}): Promise<Db> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    parsers: { [DATE_OID]: parseDate },
  });

  const wrap = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T>(sql, [...params]);
      return { rows: result.rows };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });

  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn, options) =>
      pg.transaction(async (tx) => {
        // PGlite has begun; the modes and settings follow (in process: no round trip to save).
        const setup = transactionSetup(options);
        if (setup.length > 0) await tx.exec(setup.join('; '));
        return fn(wrap(tx));
      }),
    // In process: PGlite delivers NOTIFY to its own listeners after the notifying transaction commits.
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return () => unlisten();
    },
    close: () => pg.close(),
  };
}
