/**
 * The OpenAPI description (issue 33, point 6; server/http/openapi.ts): generated from the zod
 * contract, served at /openapi.json, valid OpenAPI 3.1 by an independent validator
 * (@seriousme/openapi-schema-validator, against the OpenAPI Initiative's JSON schemas), and it
 * describes every route the server declares — with the same methods and the contract's schemas.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRoutes } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { declaredRoutes } from '../../../server/http/route-list';
import { generateTestPki } from '../../../tools/pki/index';
import { authOptions, TEST_OIDC } from './auth-suite';
import { demoDb } from './helpers';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; security?: unknown[] }>>;
}

let db: Db;
let app: FastifyInstance;
let doc: Document;
beforeAll(async () => {
  db = await demoDb();
  app = createServer({ db, version: '9.9.9', logger: false, auth: authOptions(await generateTestPki(), { oidc: TEST_OIDC }), sync: { retentionIntervalMs: false } });
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.json();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('GET /openapi.json', () => {
  it('is valid OpenAPI 3.1 by an independent validator', async () => {
    expect(doc.openapi).toBe('3.1.0');
    type Spec = Parameters<Validator['validate']>[0];
    const result = await new Validator().validate(doc as unknown as Spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator has teeth: a parameter in no valid place is refused.
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    broken.paths['/health']!.get!.parameters = [{ name: 'x', in: 'nowhere', schema: { type: 'string' } }];
    expect((await new Validator().validate(broken as unknown as Spec)).valid).toBe(false);
  });

  it('describes every route the server declares, by method and path, and nothing it does not', () => {
    const declared = declaredRoutes(app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const described = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    expect(described).toEqual(declared);
  });

  it('carries the contract’s schemas: the push body requires mutations; login needs no session, a push does', () => {
    const push = doc.paths[syncRoutes.push.path]!.post!;
    const schema = push.requestBody!.content['application/json']!.schema as { required?: string[]; properties?: Record<string, unknown> };
    expect(schema.required).toContain('mutations');
    expect(doc.paths['/api/v1/auth/login']!.post!.security).toEqual([]);
    expect(push.security).toBeUndefined();
    expect(Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId)).every((id, _i, all) => all.indexOf(id) === all.lastIndexOf(id))).toBe(true);
  });
});
