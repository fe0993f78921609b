/** Server settings from the environment (see server/main.ts for what each one does). */
export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  seed: boolean;
  logLevel: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be 0–65535, got ${env.PORT}`);
  return {
    port,
    // Loopback only unless told otherwise: until login lands, some calls answer without it.
    host: env.HOST || '127.0.0.1',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    dataDir: env.DATA_DIR || '.data/server',
    seed: env.SEED === '1' || env.SEED === 'true',
    logLevel: env.LOG_LEVEL || 'info',
  };
}
