/**
 * `npm run bench -- NAME`: runs bench/NAME.ts, which prints one JSON object per line:
 * {"bench":"login","metric":"pin_to_session_ms_p50","value":123,"unit":"ms"}
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const available = readdirSync(dir)
  // Modules the benchmarks share are not benchmarks themselves.
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'abuse-holder.ts', 'report.ts', 'placement.ts', 'server-load.ts', 'sync-workstation.ts', 'startup-app.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (NAME: ${available.join(', ')})`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { run(args: string[]): Promise<void> };
await mod.run(process.argv.slice(3));
process.exit(0);
