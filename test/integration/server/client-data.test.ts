/**
 * The data-level access check (issue 25, "Done when"): for EVERY route that returns client data
 * (client-data-routes.ts; a declared route in neither of its lists fails the suite), every kind of
 * caller — staff of a unit, a person whose permission ended, a superuser, a manager, an
 * administrator of one unit and of the organisation, a case officer with and without assignments,
 * across two organisations — gets only the clients her rule allows: no answer names another
 * client by id, personnummer, name, or the ids, texts and attachments of its records.
 * The world is generated from a seed (test/support/client-world.ts): SEEDS=5 runs seeds 1–5,
 * SEEDS=17,42 those two; by default 3 seeds. A failure names its seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, API_VERSION_HEADER } from '#contract';
import { declaredRoutes } from '../../../server/http/route-list';
import { buildWorld, type World } from '../../support/client-world';
import { startDemoServer, type DemoServer } from '../../support/world';
import { CLIENT_DATA, NOT_CLIENT_DATA } from './client-data-routes';

const SEEDS = ((raw: string) => (raw.includes(',') ? raw.split(',').map(Number) : Array.from({ length: Number(raw) }, (_, i) => i + 1)))(process.env.SEEDS ?? '3');

let server: DemoServer;

beforeAll(async () => {
  server = await startDemoServer('client_data');
}, 120_000);
afterAll(async () => {
  await server?.close();
});

/** The clients `text` names: any of their secrets in it. */
const named = (world: World, text: string) => world.clients.filter((c) => c.secrets.some((s) => text.includes(s)));

describe('the data-level access check', () => {
  it('every declared route is either a client-data route with a rule, or listed as returning none', () => {
    const declared = declaredRoutes(server.app).map((r) => `${r.method} ${r.url}`);
    const both = Object.keys(CLIENT_DATA).filter((r) => r in NOT_CLIENT_DATA);
    expect(both, 'routes in both lists').toEqual([]);
    expect(declared.filter((r) => !(r in CLIENT_DATA) && !(r in NOT_CLIENT_DATA)), 'routes in neither list: classify them in client-data-routes.ts').toEqual([]);
    expect([...Object.keys(CLIENT_DATA), ...Object.keys(NOT_CLIENT_DATA)].filter((r) => !declared.includes(r)), 'listed routes that do not exist').toEqual([]);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: every caller sees only the clients she may, through every client-data route`, { timeout: 300_000 }, async () => {
      const world = await buildWorld(server.app, server.db, server.pki, seed);
      const failures: string[] = [];
      /** Per route, how many answers named a client she may see: the probe has teeth. */
      const shown = new Map<string, number>();
      for (const [route, [rule, probe]] of Object.entries(CLIENT_DATA)) {
        const calls = probe(world);
        for (const caller of world.callers) {
          const allowed = rule(caller, world);
          for (const call of calls) {
            const res = await server.app.inject({
              method: call.method,
              url: call.url,
              headers: { authorization: `Bearer ${caller.token}`, 'x-workstation': 'WS-DATA', [API_VERSION_HEADER]: String(API_VERSION) },
              ...(call.method === 'POST' ? { payload: (call.body ?? {}) as object } : {}),
            });
            const where = `seed ${seed}, ${route} (${call.method} ${call.url}) as ${caller.label}`;
            if (res.statusCode >= 500) failures.push(`${where}: ${res.statusCode} ${res.body.slice(0, 200)}`);
            if (res.statusCode >= 300) continue;
            const names = named(world, res.body);
            const leaked = names.filter((c) => !allowed.has(c.id));
            if (leaked.length > 0) failures.push(`${where}: names ${leaked.length} client(s) she may not see (${leaked.map((c) => c.name).join(', ')})`);
            if (names.length > leaked.length) shown.set(route, (shown.get(route) ?? 0) + 1);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(Object.keys(CLIENT_DATA).filter((r) => !shown.has(r) && !CLIENT_DATA[r]![2]), 'routes that never answered anyone with a client she may see (the probe has no teeth)').toEqual([]);
    });
  }
});
