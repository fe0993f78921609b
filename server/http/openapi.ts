import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as contract from '#contract';

/**
 * GET /openapi.json: the server's API as OpenAPI 3.1, generated from the zod contract (zod's
 * z.toJSONSchema), for the municipality's integrators and our officer command. Every exported
 * `…Routes` table of contract/ is walked, so a route added to the contract is described the moment
 * it exists; the few routes outside the contract (the event stream's body, /metrics, this
 * document) are added here. test/unit/server/openapi.test.ts checks it with an independent
 * validator and that every route the server declares is in it.
 */
interface RouteEntry {
  method: string;
  path: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
}

type Json = Record<string, unknown>;

/** Routes anyone may call: no bearer session. */
const PUBLIC = new Set(['/health', '/health/live', '/health/ready', '/metrics', '/openapi.json', '/api/v1/auth/challenge', '/api/v1/auth/login', '/api/v1/officer/auth/login',
  '/api/v1/auth/methods', '/api/v1/auth/oidc/start', '/api/v1/auth/oidc/finish', '/api/v1/auth/oidc/backchannel-logout']);

const isRoute = (value: unknown): value is RouteEntry =>
  typeof value === 'object' && value !== null && typeof (value as RouteEntry).method === 'string' && typeof (value as RouteEntry).path === 'string';

/** Every route of the contract's `…Routes` tables, with the table's name (the OpenAPI tag). */
function contractRoutes(): { tag: string; name: string; route: RouteEntry }[] {
  const found: { tag: string; name: string; route: RouteEntry }[] = [];
  for (const [table, value] of Object.entries(contract)) {
    if (!table.endsWith('Routes') || typeof value !== 'object' || value === null) continue;
    for (const [name, route] of Object.entries(value)) if (isRoute(route)) found.push({ tag: table.replace(/Routes$/, ''), name, route });
  }
  return found;
}

export function buildOpenApi(version: string): Json {
  const components: Record<string, Json> = {};
  /** A JSON Schema of `schema`, its shared definitions hoisted into components (prefixed by `name`). */
  const jsonSchema = (schema: z.ZodType, name: string, io: 'input' | 'output'): Json => {
    const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as Json;
    delete out.$schema;
    const defs = out.$defs as Record<string, Json> | undefined;
    delete out.$defs;
    let text = JSON.stringify(out);
    if (defs) {
      for (const [key, def] of Object.entries(defs)) components[`${name}_${key}`] = JSON.parse(JSON.stringify(def).replaceAll('"#/$defs/', `"#/components/schemas/${name}_`)) as Json;
      text = text.replaceAll('"#/$defs/', `"#/components/schemas/${name}_`);
    }
    return JSON.parse(text) as Json;
  };
  const errorRef = { $ref: '#/components/schemas/ServerErrorBody' };
  components.ServerErrorBody = jsonSchema(contract.ServerErrorBody, 'ServerErrorBody', 'output');

  const paths: Record<string, Record<string, Json>> = {};
  const add = (method: string, path: string, operation: Json) => {
    const openPath = path.replace(/:(\w+)/g, '{$1}');
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } }));
    const existing = (operation.parameters as Json[] | undefined) ?? [];
    paths[openPath] ??= {};
    paths[openPath][method.toLowerCase()] = {
      ...operation,
      ...(params.length + existing.length > 0 ? { parameters: [...params, ...existing] } : {}),
      ...(PUBLIC.has(path) ? { security: [] } : {}),
    };
  };

  for (const { tag, name, route } of contractRoutes()) {
    const id = `${tag}.${name}`;
    const responses: Json = {
      default: { description: 'Felsvar: koden och ett meddelande (the error envelope)', content: { 'application/json': { schema: errorRef } } },
    };
    if (route.response) responses['200'] = { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.response, id.replace('.', '_'), 'output') } } };
    else if (route.path === contract.syncRoutes.events.path) {
      responses['200'] = {
        description: 'Server-sent events: `ready` {unitIds}, `changed` {unitIds}, `scope` and `end`; keep-alive comments (docs/sync.md)',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      };
    } else responses['204'] = { description: 'No content' };
    const parameters: Json[] = [];
    if (route.query) {
      const q = jsonSchema(route.query, `${id.replace('.', '_')}_query`, 'input');
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [param, schema] of Object.entries((q.properties as Record<string, Json> | undefined) ?? {})) parameters.push({ name: param, in: 'query', required: required.has(param), schema });
    }
    add(route.method, route.path, {
      operationId: id,
      tags: [tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, `${id.replace('.', '_')}_body`, 'input') } } } } : {}),
      responses,
    });
  }
  add('GET', '/metrics', {
    operationId: 'server.metrics',
    tags: ['server'],
    description: 'Prometheus text format (docs/operations.md, "Observe")',
    responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
  });
  add('GET', '/openapi.json', {
    operationId: 'server.openapi',
    tags: ['server'],
    description: 'This document',
    responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Omsorgsportalen server API',
      version,
      description: 'Arbetsstationernas och handläggarnas API. Generated from the zod contract (contract/); every response body is validated by both sides.',
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The session token from /api/v1/auth/login' } } },
    security: [{ bearer: [] }],
  };
}

/** GET /openapi.json, built once on first request. */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  let document: string | undefined;
  app.get('/openapi.json', async (_request, reply) => {
    document ??= JSON.stringify(buildOpenApi(version));
    return reply.header('content-type', 'application/json; charset=utf-8').send(document);
  });
}
