/**
 * `npm run admin -- bootstrap …`: the first administrator (IT-kontaktperson) of a new installation
 * (server/admin/bootstrap.ts, docs/administration.md). Every later grant is made in the
 * workstation's Administration screen. Migrates the database first, like the server does.
 *
 *   npm run admin -- bootstrap --organisation "Omsorg AB" --municipality Göteborg \
 *     --hsa-id SE2321000131-P000000000901 --given-name Eva --family-name Ström --title IT-kontaktperson \
 *     [--unit "Hemtjänst Centrum"] [--unit "Daglig verksamhet Norr:daglig_verksamhet"]
 *
 *   DATABASE_URL  the database (the owner role on a fresh installation); without it, PGlite in DATA_DIR
 *   DATA_DIR      embedded PGlite's folder (default .data/server)
 *
 * Prints one JSON object; exit 0 on success, 1 when refused, 2 on a usage error.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AppFailure, HsaId } from '#contract';
import { bootstrapAdministrator } from '../server/admin/bootstrap';
import { migrate, openDb } from '../server/db/index';

const USAGE =
  'Användning: npm run admin -- bootstrap --organisation NAMN --municipality KOMMUN --hsa-id HSA-ID --given-name FÖRNAMN --family-name EFTERNAMN --title TITEL [--unit "NAMN[:hemtjanst|daglig_verksamhet]"]…';

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'bootstrap') {
    out(USAGE);
    return 2;
  }
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        organisation: { type: 'string' },
        municipality: { type: 'string' },
        'hsa-id': { type: 'string' },
        'given-name': { type: 'string' },
        'family-name': { type: 'string' },
        title: { type: 'string' },
        unit: { type: 'string', multiple: true },
      },
      strict: true,
    }));
  } catch (e) {
    out(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const text = (k: string) => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
  const required = ['organisation', 'municipality', 'hsa-id', 'given-name', 'family-name', 'title'];
  const missing = required.filter((k) => text(k) === '');
  if (missing.length > 0) {
    out(`Saknas: ${missing.map((k) => `--${k}`).join(', ')}\n${USAGE}`);
    return 2;
  }
  if (!HsaId.safeParse(text('hsa-id')).success) {
    out(`Ogiltigt HSA-id (t.ex. SE2321000131-P000000000901).\n${USAGE}`);
    return 2;
  }
  const units = ((values.unit as string[] | undefined) ?? []).map((u) => {
    const [name, type] = u.split(':');
    return { name: name!.trim(), serviceType: type === 'daglig_verksamhet' ? ('daglig_verksamhet' as const) : ('hemtjanst' as const) };
  });
  const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR || '.data/server' });
  try {
    await migrate(db);
    const result = await bootstrapAdministrator(
      db,
      {
        organisation: text('organisation'),
        municipality: text('municipality'),
        units,
        person: { hsaId: text('hsa-id'), givenName: text('given-name'), familyName: text('family-name'), title: text('title') },
      },
      new Date(),
    );
    out(JSON.stringify({ ok: true, ...result }));
    return 0;
  } catch (e) {
    if (e instanceof AppFailure) {
      out(JSON.stringify({ ok: false, code: e.code, message: e.message }));
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runAdmin(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`admin failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
