// Development only: lets a worker thread load TypeScript when the app runs from source under tsx
// or vitest (Node does not pass the parent's loader hooks to workers). A bundled build starts the
// compiled worker directly (see `workerUrl` in main/store/index.ts) and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
