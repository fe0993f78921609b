import type { AssuranceRow, AssuredFunction, Loa } from '#contract';
import { ASSURED_FUNCTIONS } from '#contract';

/**
 * Assurance level per function (issue 29, docs/login.md "Assurance level per function"): what a
 * session of each level opens. The levels are the server's configuration (LOA_LEVELS, default
 * below); the route of each function is here. A route not named is client data: a new route is
 * closed to a lower level until someone decides otherwise (fail closed).
 */
export type AssuranceLevels = Record<AssuredFunction, Loa>;

export const DEFAULT_ASSURANCE: AssuranceLevels = {
  client_data: 3,
  administration: 3,
  notices: 2,
  messages: 2,
  own_settings: 2,
};

/** `METHOD url` (Fastify's route pattern) → the function it serves; absent: client_data. */
const ROUTE_FUNCTION: Record<string, AssuredFunction> = {
  'POST /api/v1/auth/renew': 'own_settings',
  'POST /api/v1/auth/logout': 'own_settings',
  'GET /api/v1/units': 'own_settings',
  'GET /api/v1/me/roles': 'own_settings',
  // The organisation's KSI list: codes and titles, no person (the editor needs it at every level).
  'GET /api/v1/ksi': 'own_settings',
  'POST /api/v1/support/reports': 'own_settings',
  // The pull and its event stream serve every level; what they hand out is cut to the level (pullKinds).
  'POST /api/v1/sync/pull': 'own_settings',
  'GET /api/v1/sync/events': 'own_settings',
  // The push is where messages are written; below client data's level it decides only client-free
  // message writes and holds the rest (server/sync/push-rules.ts, clientFree).
  'POST /api/v1/sync/push': 'messages',
  // Whom a new thread may name; about a client or an assignment only with client data's level (server/messages/routes.ts).
  'GET /api/v1/messages/units/:id/recipients': 'messages',
};

/** The function of a route; the administration's routes by their prefix, everything else client data. */
export function functionOf(method: string, url: string): AssuredFunction {
  const named = ROUTE_FUNCTION[`${method} ${url}`];
  if (named) return named;
  if (url.startsWith('/api/v1/admin/') || url.startsWith('/api/v1/support/colleagues')) return 'administration';
  return 'client_data';
}

/** Which synced kinds a session of `loa` may have, and whether client data comes with the messages. */
export function pullKinds(levels: AssuranceLevels, loa: Loa): { kinds: string[] | null; clientData: boolean } {
  const clientData = loa >= levels.client_data;
  if (clientData) return { kinds: null, clientData: true };
  const kinds = [...(loa >= levels.notices ? ['notice'] : []), ...(loa >= levels.messages ? ['message_thread', 'message'] : [])];
  return { kinds, clientData: false };
}

export function assuranceTable(levels: AssuranceLevels): AssuranceRow[] {
  return ASSURED_FUNCTIONS.map((f) => ({ function: f, loa: levels[f] }));
}

/**
 * LOA_LEVELS: `function=level` pairs, comma-separated, over the defaults (e.g.
 * `messages=3,notices=2`). Client data never below 3 (Inera's and HSLF-FS 2016:40's bar for
 * personal data in care): a setting asking less is refused.
 */
export function readAssurance(value: string | undefined): AssuranceLevels {
  const levels = { ...DEFAULT_ASSURANCE };
  for (const pair of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, level] = pair.split('=') as [string, string | undefined];
    if (!(ASSURED_FUNCTIONS as readonly string[]).includes(name)) throw new Error(`LOA_LEVELS: unknown function ${name} (known: ${ASSURED_FUNCTIONS.join(', ')})`);
    const n = Number(level);
    if (![1, 2, 3, 4].includes(n)) throw new Error(`LOA_LEVELS: ${name} needs a level 1–4, got ${level}`);
    levels[name as AssuredFunction] = n as Loa;
  }
  if (levels.client_data < 3) throw new Error('LOA_LEVELS: client_data cannot be below 3');
  return levels;
}
