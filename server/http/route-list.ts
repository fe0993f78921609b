import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

/**
 * Every route the server declares, with the contract schemas it parses its input with: what the
 * input property test (test/integration/server/bad-input.test.ts) walks, so a new route is
 * covered the moment it is declared. Routes put their schemas in `config.contract`.
 */
export interface RouteContract {
  body?: z.ZodType;
  query?: z.ZodType;
}

export interface DeclaredRoute extends RouteContract {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    contract?: RouteContract;
  }
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Call before any route is declared on `app`. */
export function recordRoutes(app: FastifyInstance): void {
  const list: DeclaredRoute[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const contract = (route.config as { contract?: RouteContract } | undefined)?.contract ?? {};
    for (const method of methods) {
      // Fastify adds HEAD for every GET by itself.
      if (method === 'HEAD' && methods.length === 1 && list.some((r) => r.method === 'GET' && r.url === route.url)) continue;
      list.push({ method, url: route.url, ...contract });
    }
  });
}

/** The routes declared on `app` since recordRoutes. */
export const declaredRoutes = (app: FastifyInstance): readonly DeclaredRoute[] => declared.get(app) ?? [];
