import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { exampleKsiList, ksiRoutes, parseKsiCsv, type KsiList } from '#contract';
import { getRoute } from '../http/route';

/**
 * The organisation's KSI list (docs/plans.md, "KSI codes"; docs/operations.md): KSI_LIST_FILE, the
 * official list as IT saves it from Socialstyrelsen's Excel file (contract/ksi.ts parseKsiCsv);
 * without it the bundled example list, which the server reports at start as not Socialstyrelsen's.
 * A file that cannot be read or parsed stops the server at start, naming the line.
 */
export function readKsiList(file: string | undefined, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): KsiList {
  if (!file) return exampleKsiList();
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    throw new Error(`KSI_LIST_FILE (${file}): filen kan inte läsas (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    return parseKsiCsv(text, path.basename(file));
  } catch (e) {
    throw new Error(`KSI_LIST_FILE (${file}): ${(e as Error).message}`);
  }
}

/** GET /api/v1/ksi: the list the server checks drafts against, for the workstations (no personal data, any session). */
export function registerKsiRoutes(app: FastifyInstance, deps: { requireSession: preHandlerAsyncHookHandler; list: KsiList }): void {
  getRoute(app, ksiRoutes.list, { preHandler: deps.requireSession }, async () => deps.list);
}
