/**
 * `npm run verify-log`: verifies the access log's hash chain, every client's journal chain and —
 * with an anchor file — that the newest signed checkpoint's heads are still in their chains
 * (server/audit/verify.ts, docs/security.md). Prints one JSON object; exit 0 when everything
 * holds, 1 when something is broken, 2 on a usage error.
 *
 *   DATABASE_URL        the database (a read-only role is enough); without it, PGlite in DATA_DIR
 *   DATA_DIR            embedded PGlite's folder (default .data/server)
 *   ANCHOR_FILE         the checkpoint file (JSON lines), somewhere the database roles cannot write
 *   ANCHOR_PUBLIC_KEY   PEM file of the Ed25519 key checkpoints are verified with
 *   ANCHOR_PRIVATE_KEY  PEM file of the Ed25519 key: append a checkpoint after a successful check
 *                       (run it so from a timer, e.g. every 15 minutes, as an account of its own)
 *
 *   npm run verify-log -- --new-key DIR   writes an Ed25519 key pair (anchor-key.pem, anchor-key.pub.pem) to DIR
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { verifyLogs } from '../server/audit/verify';
import { openDb } from '../server/db/index';

export async function runVerifyLog(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === '--new-key') {
    const dir = argv[1];
    if (!dir) return 2;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(path.join(dir, 'anchor-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(path.join(dir, 'anchor-key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    return 0;
  }
  const read = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : undefined);
  const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR || '.data/server' });
  try {
    const privateKey = read(env.ANCHOR_PRIVATE_KEY);
    const publicKey = read(env.ANCHOR_PUBLIC_KEY) ?? privateKey;
    const result = await verifyLogs(db, {
      ...(env.ANCHOR_FILE ? { anchorFile: env.ANCHOR_FILE } : {}),
      ...(publicKey ? { anchorPublicKey: publicKey } : {}),
      ...(privateKey ? { anchorPrivateKey: privateKey } : {}),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runVerifyLog(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`verify-log failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
