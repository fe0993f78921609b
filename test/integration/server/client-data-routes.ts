import { randomUUID } from 'node:crypto';
import { swedishLocalDateTime } from '#contract';
import type { Caller, World } from '../../support/client-world';

/**
 * Which routes return client data, and who may see which clients through them: the table the
 * data-level access check (client-data.test.ts) walks. EVERY route the server declares is in
 * CLIENT_DATA (with its probes and its rule) or in NOT_CLIENT_DATA (with the reason); a route in
 * neither fails the suite. A new kind adds its routes here, one line each, e.g.
 *   'GET /api/v1/deviations/:id': [care, (w) => w.deviations.map((id) => get(`/api/v1/deviations/${id}`))],
 */

export interface Call {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
}
/** The clients `caller` may see through a route (by id). */
export type Rule = (caller: Caller, world: World) => Set<string>;

const get = (url: string): Call => ({ method: 'GET', url });
const post = (url: string, body: unknown = {}): Call => ({ method: 'POST', url, body });
const ids = (w: World, keep: (c: World['clients'][number]) => boolean) => new Set(w.clients.filter(keep).map((c) => c.id));

/** Care data: the clients of the units she holds a permission for today. */
export const care: Rule = (c, w) => ids(w, (x) => c.units.includes(x.unitId));
/** The case officer's: the clients she sent an assignment for. */
export const officerOwn: Rule = (c, w) => ids(w, (x) => c.officerClients.includes(x.id));
/** Messages (docs/messages.md): care data, or the case officer of one of the client's assignments. */
export const messages: Rule = (c, w) => new Set([...care(c, w), ...officerOwn(c, w)]);
/** The access log: the clients of the units her administrator role reaches. */
export const adminLog: Rule = (c, w) =>
  c.adminReach === null ? new Set() : ids(w, (x) => x.organisationId === c.adminReach!.organisationId && (c.adminReach!.units === null || c.adminReach!.units.includes(x.unitId)));
/**
 * Incidents (docs/incidents.md): the clients named in them, to their reporter (clients of her
 * units) and to an administrator within her reach; an administrator of one unit follows up every
 * incident of the organisation but sees only her units' clients named.
 */
export const incidents: Rule = (c, w) => new Set([...care(c, w), ...adminLog(c, w)]);

/** Deviations (docs/deviations.md): the manager of the client's unit handles them; nobody else reads them here. */
export const managed: Rule = (c, w) => (c.kind === 'manager' ? care(c, w) : new Set());

const eachClient = (w: World, url: (id: string) => string) => w.clients.map((c) => get(url(c.id)));
const eachUnit = (w: World, url: (id: string) => string) => w.units.map((u) => get(url(u.id)));
const today = () => swedishLocalDateTime(new Date());

/**
 * Per route: the rule, the probes, and — for a route whose answers name no client today but are
 * checked in case they ever do — why none is expected (otherwise a route that never names a
 * client she may see fails: its probe would have no teeth).
 */
export const CLIENT_DATA: Record<string, [Rule, (w: World) => Call[], { namesNone: string }?]> = {
  'POST /api/v1/sync/pull': [care, () => [post('/api/v1/sync/pull', { cursors: {} })]],
  'GET /api/v1/assignments': [care, () => [get('/api/v1/assignments?limit=200')]],
  'GET /api/v1/assignments/:id': [care, (w) => w.assignments.map((id) => get(`/api/v1/assignments/${id}`))],
  'POST /api/v1/assignments/:id/actions': [care, (w) => w.assignments.map((id) => post(`/api/v1/assignments/${id}/actions`, { type: 'confirm' }))],
  'GET /api/v1/officer/assignments': [officerOwn, () => [get('/api/v1/officer/assignments?limit=200')]],
  'GET /api/v1/officer/assignments/:id': [officerOwn, (w) => w.assignments.map((id) => get(`/api/v1/officer/assignments/${id}`))],
  'POST /api/v1/officer/assignments/:id/actions': [officerOwn, (w) => w.assignments.map((id) => post(`/api/v1/officer/assignments/${id}/actions`, { type: 'cancel', reason: 'Prov.' }))],
  'GET /api/v1/officer/clients/:clientId/plans': [officerOwn, (w) => eachClient(w, (id) => `/api/v1/officer/clients/${id}/plans`)],
  'GET /api/v1/officer/plans/:id': [officerOwn, (w) => w.plans.map((id) => get(`/api/v1/officer/plans/${id}`))],
  'GET /api/v1/messages/threads': [messages, () => [get('/api/v1/messages/threads?limit=200')]],
  'GET /api/v1/messages/units/:id/threads': [messages, (w) => eachUnit(w, (id) => `/api/v1/messages/units/${id}/threads`)],
  'GET /api/v1/messages/threads/:id': [messages, (w) => w.threads.map((id) => get(`/api/v1/messages/threads/${id}`))],
  'POST /api/v1/messages/threads': [messages, (w) => w.clients.map((c) => post('/api/v1/messages/threads', { subject: 'Prov', clientId: c.id, toUnit: true, participantIds: [], text: 'Prov.' }))],
  'POST /api/v1/messages/threads/:id/messages': [messages, (w) => w.threads.map((id) => post(`/api/v1/messages/threads/${id}/messages`, { text: 'Prov.' }))],
  'POST /api/v1/messages/threads/:id/attachments': [
    messages,
    (w) => w.threads.map((id) => post(`/api/v1/messages/threads/${id}/attachments`, { text: 'Prov.', kind: 'journal', fileName: 'prov.pdf', content: Buffer.from('%PDF-1.4 prov').toString('base64') })),
  ],
  'GET /api/v1/messages/attachments/:id': [messages, (w) => w.attachments.map((id) => get(`/api/v1/messages/attachments/${id}`))],
  'GET /api/v1/deviations': [managed, () => [get('/api/v1/deviations')]],
  'GET /api/v1/deviations/:id': [managed, (w) => w.deviations.map((id) => get(`/api/v1/deviations/${id}`))],
  'POST /api/v1/deviations/:id/steps': [managed, (w) => w.deviations.map((id) => post(`/api/v1/deviations/${id}/steps`, { id: randomUUID(), kind: 'received' }))],
  'GET /api/v1/deviation-stats': [managed, () => [get('/api/v1/deviation-stats')], { namesNone: 'counts per unit, category and month' }],
  'GET /api/v1/deviation-patterns': [managed, () => [get('/api/v1/deviation-patterns')], { namesNone: 'one deviation per client in the world: no pattern to name (checked for leaks all the same)' }],
  'GET /api/v1/officer/deviations': [officerOwn, () => [get('/api/v1/officer/deviations')], { namesNone: 'the world’s deviations concern no assignment (deviations.test.ts covers the officer’s reading)' }],
  'GET /api/v1/officer/deviations/:id': [officerOwn, (w) => w.deviations.map((id) => get(`/api/v1/officer/deviations/${id}`)), { namesNone: 'the world’s deviations concern no assignment (deviations.test.ts covers the officer’s reading)' }],
  'GET /api/v1/incidents': [incidents, () => [get('/api/v1/incidents')], { namesNone: 'the list counts an incident’s clients, names none' }],
  'GET /api/v1/incidents/:id': [incidents, (w) => w.incidents.map((id) => get(`/api/v1/incidents/${id}`))],
  'POST /api/v1/incidents': [incidents, (w) => w.clients.map((c) => post('/api/v1/incidents', { what: 'Prov.', discoveredAt: today(), personnummer: [c.personnummer] }))],
  'POST /api/v1/incidents/:id/municipality': [incidents, (w) => w.incidents.map((id) => post(`/api/v1/incidents/${id}/municipality`, { reportedAt: today(), channel: 'phone' }))],
  'POST /api/v1/incidents/:id/close': [incidents, (w) => w.incidents.map((id) => post(`/api/v1/incidents/${id}/close`, {}))],
  'POST /api/v1/admin/access-log/search': [adminLog, (w) => [post('/api/v1/admin/access-log/search', { limit: 500 }), ...w.clients.map((c) => post('/api/v1/admin/access-log/search', { personnummer: c.personnummer }))]],
  'POST /api/v1/admin/access-log/csv': [adminLog, () => [post('/api/v1/admin/access-log/csv', {})]],
  'POST /api/v1/admin/access-log/export': [adminLog, () => [post('/api/v1/admin/access-log/export', {})]],
  'POST /api/v1/admin/access-log/sample': [adminLog, () => [post('/api/v1/admin/access-log/sample', { size: 100 })]],
  'GET /api/v1/admin/access-log/reviews': [adminLog, () => [get('/api/v1/admin/access-log/reviews')]],
  'GET /api/v1/admin/access-log/reviews/:id': [adminLog, (w) => w.reviews.map((id) => get(`/api/v1/admin/access-log/reviews/${id}`))],
  'POST /api/v1/admin/access-log/reviews/:id/export': [adminLog, (w) => w.reviews.map((id) => post(`/api/v1/admin/access-log/reviews/${id}/export`, {}))],
  'POST /api/v1/admin/access-log/reviews': [
    adminLog,
    (w) => w.logRows.map((id) => post('/api/v1/admin/access-log/reviews', { kind: 'sample', sampleSize: 1, summary: 'Prov.', findings: [{ logId: id, verdict: 'justified', comment: '' }] })),
  ],
};

/** Routes that answer no client data, and why. */
export const NOT_CLIENT_DATA: Record<string, string> = {
  'GET /health': 'liveness',
  'GET /health/live': 'liveness',
  'GET /health/ready': 'readiness: the database and migrations',
  'GET /metrics': 'counters and latencies by route pattern, never a path with an id',
  'GET /openapi.json': 'the API description',
  'POST /api/v1/auth/challenge': 'a nonce',
  'POST /api/v1/auth/login': 'the session and the user’s own units',
  'POST /api/v1/officer/auth/login': 'the session',
  'POST /api/v1/auth/renew': 'the session',
  'POST /api/v1/auth/logout': 'nothing',
  'GET /api/v1/auth/methods': 'which logins the server offers and what each assurance level opens: no personal data',
  'POST /api/v1/auth/password/start': 'the second step of a login: a token, the method, the last digits of the person\u2019s own number',
  'POST /api/v1/auth/password/verify': 'the session and the user\u2019s own units',
  'GET /api/v1/admin/credentials': 'people of the organisation: usernames, locked or not, their keys\u2019 public ids',
  'POST /api/v1/admin/credentials/methods': 'the organisation\u2019s login methods',
  'POST /api/v1/admin/credentials/password': 'the person\u2019s credentials (no password, two digits of the number)',
  'POST /api/v1/admin/credentials/unlock': 'the person\u2019s credentials',
  'POST /api/v1/admin/credentials/yubikeys': 'the person\u2019s credentials',
  'POST /api/v1/admin/credentials/yubikeys/:id/revoke': 'the person\u2019s credentials',
  'GET /api/v1/units': 'the user’s own units',
  'POST /api/v1/sync/push': 'per mutation applied or refused, with the ids the user sent',
  'GET /api/v1/sync/events': 'unit ids of the user’s own scope, never a record',
  'GET /api/v1/assignments/units/:id/staff': 'staff of a unit in scope',
  'GET /api/v1/assignments/:id/targets': 'units of the user’s scope',
  'POST /api/v1/officer/assignments': 'the assignment the officer sends: she names the client (by personnummer or id) and becomes its case officer',
  'POST /api/v1/access-log/events': 'a count',
  'GET /api/v1/me/roles': 'the user’s own roles',
  'GET /api/v1/ksi': 'the organisation’s KSI list: codes and titles, no person',
  'GET /api/v1/admin/people': 'people of the organisation',
  'POST /api/v1/admin/people': 'the person added',
  'POST /api/v1/admin/grants': 'the grant',
  'POST /api/v1/admin/grants/:id/confirm': 'the grant',
  'POST /api/v1/admin/grants/:id/end': 'the grant',
  'GET /api/v1/admin/history': 'permission history: people and units',
  'POST /api/v1/admin/access-log/verify': 'counts and chain positions',
  'GET /api/v1/officer/plan-stats': 'figures per unit',
  'POST /api/v1/messages/threads/:id/read': 'a count',
  'GET /api/v1/messages/units/:id/recipients': 'people',
  'POST /api/v1/support/reports': 'a time',
  'GET /api/v1/support/colleagues': 'people and their workstations’ states',
  'POST /api/v1/support/colleagues/:id/messages': 'the ids of a thread about no client',
  'POST /api/v1/notices': 'the notice',
  'POST /api/v1/notices/:id/withdraw': 'the notice',
};
