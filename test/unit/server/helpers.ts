import { Writable } from 'node:stream';
import { migrate } from '../../../server/db/migrate';
import { openPglite } from '../../../server/db/pglite';
import type { Db } from '../../../server/db/types';
import { seedDemoData } from '../../../server/demo';

/** An in-memory PGlite with the schema, and the demo data unless `seed: false`. */
export async function demoDb(options: { seed?: boolean } = {}): Promise<Db> {
  const db = await openPglite();
  await migrate(db);
  if (options.seed !== false) await seedDemoData(db);
  return db;
}

/** A stream that keeps everything written to it, for reading logs back. */
export function captureStream(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}
