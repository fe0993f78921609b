// Starts ./vpcd-worker.ts in a worker thread from source (tests, tools, benches run under vitest or
// tsx): Node does not pass the parent's TypeScript loader to workers, so this registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./vpcd-worker.ts', import.meta.url).href);
