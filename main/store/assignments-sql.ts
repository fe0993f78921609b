import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { AssignmentStatus as StatusEnum, type Assignment, type AssignmentStatus, type InboxItem, type InboxPage, type InboxQueryParsed } from '#contract';
import { defineStoreKind, likeEscape, utc, type KindPart, type StoreContext, type UpsertOf } from './kind';

/**
 * Assignments in the local store, listed by the inbox (table `assignments`, store migration 4): one row per
 * assignment of the user's units, as the last pull handed it out. The list columns are kept apart
 * (indexed: unit, status, dates, client name/personnummer); `item` is the list row as JSON, `record`
 * the whole assignment with its history. Runs inside SqlStore, on the store worker.
 */
const ASSIGNMENTS_SCHEMA = `
  CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    needs_action INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- family, given name folded for Swedish order (as clients.sort_key)
    client_sort TEXT NOT NULL,
    personnummer TEXT NOT NULL,
    item TEXT NOT NULL,      -- JSON InboxItem
    record TEXT NOT NULL     -- JSON Assignment (with history)
  );
  CREATE INDEX assignments_unit_status_updated ON assignments (unit_id, status, updated_at DESC, id);
  CREATE INDEX assignments_updated ON assignments (updated_at DESC, id);
  CREATE INDEX assignments_received ON assignments (received_at DESC, id);
  CREATE INDEX assignments_start ON assignments (start_date, id);
  CREATE INDEX assignments_client_sort ON assignments (client_sort, id);
  CREATE INDEX assignments_personnummer ON assignments (personnummer);
  CREATE INDEX assignments_needs_action ON assignments (needs_action, unit_id);
`;

const ORDER: Record<InboxQueryParsed['sort'], string> = {
  updated_desc: 'updated_at DESC, id DESC',
  received_desc: 'received_at DESC, id DESC',
  start_asc: 'start_date ASC, id ASC',
  start_desc: 'start_date DESC, id DESC',
  client_asc: 'client_sort ASC, id ASC',
};

const hours = (n: number) => String(n).replace('.', ',');
export function inboxItem(a: Assignment): InboxItem {
  return {
    id: a.id,
    clientId: a.clientId,
    clientName: `${a.client.givenName} ${a.client.familyName}`,
    personnummer: a.client.personnummer,
    unitId: a.unitId,
    unitName: a.unitName,
    status: a.status,
    needsAction: a.needsAction,
    // A record stored before the field existed has none.
    changePending: a.changePending === true,
    decisionReference: a.decision.reference,
    services: a.services.map((s) => `${s.name} ${hours(s.grantedHours)} h/${s.per === 'week' ? 'v' : 'mån'}`).join(', '),
    startDate: a.startDate,
    endDate: a.endDate,
    executionDate: a.executionDate,
    receivedAt: a.receivedAt,
    updatedAt: a.updatedAt,
  };
}


export class AssignmentsSql implements KindPart<'assignment'> {
  readonly mutations = {};
  private readonly st: Record<'upsert' | 'del' | 'purge' | 'get' | 'byId' | 'needsAction', Statement>;
  private readonly cache = new Map<string, Statement>();
  private readonly db: Database;
  private readonly fold: (s: string) => string;

  constructor(ctx: StoreContext) {
    const db = (this.db = ctx.db);
    this.fold = ctx.fold;
    const p = (s: string) => db.prepare(s);
    this.st = {
      upsert: p(`INSERT INTO assignments (id, unit_id, client_id, status, needs_action, start_date, received_at, updated_at, client_sort, personnummer, item, record)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, client_id = excluded.client_id, status = excluded.status,
          needs_action = excluded.needs_action, start_date = excluded.start_date, received_at = excluded.received_at,
          updated_at = excluded.updated_at, client_sort = excluded.client_sort, personnummer = excluded.personnummer,
          item = excluded.item, record = excluded.record`),
      del: p('DELETE FROM assignments WHERE id = ?'),
      purge: p('DELETE FROM assignments WHERE unit_id = ?'),
      get: p('SELECT record FROM assignments WHERE id = ? AND unit_id IN (SELECT unit_id FROM units)'),
      byId: p('SELECT record FROM assignments WHERE id = ?'),
      needsAction: p('SELECT count(*) AS n FROM assignments WHERE needs_action = 1 AND unit_id IN (SELECT unit_id FROM units)'),
    };
  }

  upsert(changes: UpsertOf<'assignment'>[]): void {
    for (const c of changes) this.upsertOne(c.record, c.unitId);
  }

  private upsertOne(a: Assignment, unitId: string): void {
    const sort = `${this.fold(a.client.familyName)}\u0001${this.fold(a.client.givenName)}`;
    const item = inboxItem({ ...a, unitId });
    this.st.upsert.run(a.id, unitId, a.clientId, a.status, a.needsAction ? 1 : 0, a.startDate, utc(a.receivedAt), utc(a.updatedAt), sort,
      a.client.personnummer, JSON.stringify(item), JSON.stringify({ ...a, unitId }));
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): Assignment | null {
    const r = this.st.byId.get(id) as { record: string } | undefined;
    return r ? (JSON.parse(r.record) as Assignment) : null;
  }

  get(id: string): Assignment | null {
    const r = this.st.get.get(id) as { record: string } | undefined;
    return r ? (JSON.parse(r.record) as Assignment) : null;
  }

  private prepared(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.cache.size > 200) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  list(q: InboxQueryParsed): InboxPage {
    const where: string[] = ['unit_id IN (SELECT unit_id FROM units)'];
    const args: unknown[] = [];
    if (q.clientId !== undefined) {
      where.push('client_id = ?');
      args.push(q.clientId);
    }
    if (q.unitId !== undefined) {
      where.push('unit_id = ?');
      args.push(q.unitId);
    }
    if (q.from !== undefined) {
      where.push('start_date >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('start_date <= ?');
      args.push(q.to);
    }
    const client = (q.client ?? '').trim();
    if (client) {
      const digits = client.replace(/[\s-]/g, '');
      if (/^\d+$/.test(digits)) {
        where.push(`personnummer LIKE ? ESCAPE '\\'`);
        args.push(`%${likeEscape(digits)}%`);
      } else {
        for (const w of client.split(/\s+/).filter(Boolean).slice(0, 4)) {
          // client_sort holds both names folded; a word matches the start of either name (or of a part of it).
          const f = likeEscape(this.fold(w));
          where.push(`(client_sort LIKE ? ESCAPE '\\' OR client_sort LIKE ? ESCAPE '\\' OR client_sort LIKE ? ESCAPE '\\' OR client_sort LIKE ? ESCAPE '\\')`);
          args.push(`${f}%`, `%\u0001${f}%`, `% ${f}%`, `%-${f}%`);
        }
      }
    }
    const base = where.join(' AND ');
    const counts = Object.fromEntries(StatusEnum.options.map((s) => [s, 0])) as Record<AssignmentStatus, number>;
    // One pass gives both the filter buttons' counts and "Att hantera"'s.
    let toHandle = 0;
    for (const r of this.prepared(`SELECT status, count(*) AS n, sum(needs_action) AS h FROM assignments WHERE ${base} GROUP BY status`).all(...args) as { status: AssignmentStatus; n: number; h: number }[]) {
      counts[r.status] = r.n;
      toHandle += r.h;
    }
    const statuses = q.status ?? StatusEnum.options;
    let total = statuses.reduce((n, s) => n + counts[s], 0);
    let filtered = base;
    const listArgs = [...args];
    if (q.needsAction) {
      filtered += ' AND needs_action = 1';
      if (!q.status) total = toHandle;
    }
    if (q.status) {
      filtered += ` AND status IN (${q.status.map(() => '?').join(', ')})`;
      listArgs.push(...q.status);
    }
    listArgs.push(q.limit, q.offset);
    const rows = this.prepared(`SELECT item FROM assignments WHERE ${filtered} ORDER BY ${ORDER[q.sort]} LIMIT ? OFFSET ?`).all(...listArgs) as { item: string }[];
    const needsAction = (this.st.needsAction.get() as { n: number }).n;
    return { items: rows.map((r) => JSON.parse(r.item) as InboxItem), total, counts, needsAction, toHandle };
  }
}

export const assignmentsStore = defineStoreKind({
  name: 'assignment',
  schema: [{ version: 4, name: 'assignment inbox', sql: ASSIGNMENTS_SCHEMA }],
  open: (ctx) => new AssignmentsSql(ctx),
});
