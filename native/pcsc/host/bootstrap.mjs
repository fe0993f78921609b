// Starts ./main.ts in a child process from source (tests, `npm start`, tools run under vitest or
// tsx): registers tsx first. The packaged app forks the bundle dist/main/pcsc-host.cjs instead.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./main.ts', import.meta.url).href);
