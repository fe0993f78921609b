/**
 * `npm run bench -- NAME`: runs bench/NAME.ts, which prints one JSON object per line:
 * {"bench":"login","metric":"pin_to_session_ms_p50","value":123,"unit":"ms"}
 * A benchmark declares itself by exporting `run(args)` (BENCH_ENTRY); the modules the benchmarks
 * share (report.ts, server.ts, generated.ts, …) export none, so they cannot be run as one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const BENCH_ENTRY = /^export async function run\(/m;

const dir = import.meta.dirname;
/** The benchmarks: bench/*.ts with a BENCH_ENTRY (read as text: nothing is imported to find them). */
export const benches = (): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && BENCH_ENTRY.test(readFileSync(path.join(dir, f), 'utf8')))
    .map((f) => f.replace(/\.ts$/, ''));

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

async function main(): Promise<void> {
  const available = benches();
  const name = process.argv[2];
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- NAME   (NAME: ${available.join(', ')})`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { run(args: string[]): Promise<void> };
  await mod.run(process.argv.slice(3));
  process.exit(0);
}
