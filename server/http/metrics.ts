import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/types';

/**
 * GET /metrics in Prometheus' text format (prom-client; docs/operations.md, "Observe"): what an
 * operator watches on every node. Labels are route templates (`/api/v1/clients/:id`), status codes
 * and outcome codes — never a path as requested, an id, a person or a token.
 *
 *   omsorg_http_request_duration_seconds{method,route,status}  latency per route (histogram)
 *   omsorg_http_refusals_total{route,status}    answers 401, 403, 409, 413 and 429
 *   omsorg_db_pool_wait_seconds                 how long queries waited for a pooled connection
 *   omsorg_db_pool_connections{state}           open, idle and waiting (PostgreSQL only)
 *   omsorg_event_streams_open                   workstations holding an event stream now
 *   omsorg_events_sent_total{event}             events written to the streams (the fan-out)
 *   omsorg_push_mutations_total{status}         pushed mutations by result (applied, duplicate, refused, …)
 *   omsorg_sync_pull_stage_seconds{stage}       where a pull's time goes: `session` (request to handler:
 *                                               body and session lookup), `page` (its transaction, the
 *                                               scope read in it), `log` (its access-log row)
 *   omsorg_logins_total{outcome}                card logins: success, or the refusal's error code
 *   omsorg_database_connection_lost_total       losses of the LISTEN connection (PostgreSQL restarts)
 *   omsorg_workstation_logins_by_api_version_total{version}  which workstation versions log in (upgrade planning)
 * and, on a real server (not per test app), Node's process metrics (CPU, memory, event-loop lag).
 */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly poolWait: Histogram;
  readonly eventsSent: Counter;
  readonly pushMutations: Counter;
  readonly pullStage: Histogram;
  readonly logins: Counter;
  readonly databaseLost: Counter;
  readonly workstationVersions: Counter;
}

const REFUSALS = new Set([401, 403, 409, 413, 429]);

export function createMetrics(options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    poolWait: new Histogram({
      name: 'omsorg_db_pool_wait_seconds',
      help: 'Time a query waited for a connection from the request pool',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    eventsSent: new Counter({ name: 'omsorg_events_sent_total', help: 'Events written to workstations’ event streams', labelNames: ['event'], registers: [registry] }),
    pullStage: new Histogram({
      name: 'omsorg_sync_pull_stage_seconds',
      help: 'Time a pull spent in each stage (session, page, log)',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    pushMutations: new Counter({ name: 'omsorg_push_mutations_total', help: 'Pushed mutations by result', labelNames: ['status'], registers: [registry] }),
    logins: new Counter({ name: 'omsorg_logins_total', help: 'Card logins by outcome (success or the error code)', labelNames: ['outcome'], registers: [registry] }),
    workstationVersions: new Counter({ name: 'omsorg_workstation_logins_by_api_version_total', help: 'Workstation logins by the API version they stated', labelNames: ['version'], registers: [registry] }),
    databaseLost: new Counter({ name: 'omsorg_database_connection_lost_total', help: 'Times the LISTEN connection to PostgreSQL was lost', registers: [registry] }),
  };
}

/** Request latency and refusals for every route, the pool and stream gauges, and GET /metrics. */
export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics, parts: { db: Db; openStreams: () => number }): void {
  const { registry } = metrics;
  const duration = new Histogram({
    name: 'omsorg_http_request_duration_seconds',
    help: 'Time from request to response, per route template',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const refusals = new Counter({ name: 'omsorg_http_refusals_total', help: 'Requests refused (401, 403, 409, 413, 429)', labelNames: ['route', 'status'], registers: [registry] });
  new Gauge({
    name: 'omsorg_db_pool_connections',
    help: 'Request pool connections by state (PostgreSQL)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = parts.db.poolStats?.();
      if (!stats) return;
      this.set({ state: 'open' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
      this.set({ state: 'max' }, stats.max);
    },
  });
  new Gauge({
    name: 'omsorg_event_streams_open',
    help: 'Event streams open on this node',
    registers: [registry],
    collect() {
      this.set(parts.openStreams());
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    // An event stream's "response" lasts as long as the workstation stays: not a latency.
    if (reply.getHeader('content-type')?.toString().startsWith('text/event-stream')) return;
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    duration.observe({ method: request.method, route, status: String(status) }, reply.elapsedTime / 1000);
    if (REFUSALS.has(status)) refusals.inc({ route, status: String(status) });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
