import type { ClientRecord } from '#contract';
import { defineStoreKind, likeEscape, prepareAll, type KindPart, type StoreContext, type UpsertOf } from './kind';

/** Clients (brukare) of the user's units in the store: read-only here, the server's register is the source. */

interface ClientRow {
  id: string;
  unit_id: string;
  personnummer: string;
  given_name: string;
  family_name: string;
}
const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id,
  unitId: r.unit_id,
  personnummer: r.personnummer,
  givenName: r.given_name,
  familyName: r.family_name,
});

export const swedishFold = (s: string) =>
  s
    .normalize('NFC')
    .toLocaleLowerCase('sv')
    .replace(/[åäöæøü]/g, (c) => ({ å: '{', ä: '|', æ: '|', ö: '}', ø: '}', ü: 'y' })[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
/** Swedish name order (family name, given name; å ä ö after z) as a binary-comparable key. */
export const clientSortKey = (c: Pick<ClientRecord, 'familyName' | 'givenName'>) => `${swedishFold(c.familyName)}\u0001${swedishFold(c.givenName)}`;

export class ClientsSql implements KindPart<'client'> {
  readonly mutations = {};
  private readonly st;

  constructor(private readonly ctx: StoreContext) {
    this.st = prepareAll(ctx.db, {
      upsert: `INSERT INTO clients (id, unit_id, personnummer, given_name, family_name, sort_key) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, personnummer = excluded.personnummer,
          given_name = excluded.given_name, family_name = excluded.family_name, sort_key = excluded.sort_key`,
      del: 'DELETE FROM clients WHERE id = ?',
      purge: 'DELETE FROM clients WHERE unit_id = ?',
      byId: 'SELECT id, unit_id, personnummer, given_name, family_name FROM clients WHERE id = ?',
      inScope: 'SELECT c.unit_id FROM clients c JOIN units u ON u.unit_id = c.unit_id WHERE c.id = ?',
    });
  }

  upsert(changes: UpsertOf<'client'>[]): void {
    for (const c of changes) {
      const r = c.record;
      this.st.upsert.run(r.id, c.unitId, r.personnummer, r.givenName, r.familyName, clientSortKey(r));
    }
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): ClientRecord | null {
    const r = this.st.byId.get(id) as ClientRow | undefined;
    return r ? toClient(r) : null;
  }

  /** The unit of a client of the user's units; undefined when not here or out of scope. */
  unitOf(clientId: string): string | undefined {
    return (this.st.inScope.get(clientId) as { unit_id: string } | undefined)?.unit_id;
  }

  list(q: { unitId?: string; search?: string; limit: number; offset?: number }): ClientRecord[] {
    const where: string[] = ['unit_id IN (SELECT unit_id FROM units)'];
    const args: unknown[] = [];
    if (q.unitId !== undefined) {
      where.push('unit_id = ?');
      args.push(q.unitId);
    }
    const words = (q.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 4);
    for (const w of words) {
      if (/^\d[\d-]*$/.test(w)) {
        where.push(`personnummer LIKE ? ESCAPE '\\'`);
        args.push(`%${likeEscape(w.replace(/-/g, ''))}%`);
      } else {
        // sort_key holds both names folded; a word matches the start of either name.
        const f = likeEscape(swedishFold(w));
        where.push(`(sort_key LIKE ? ESCAPE '\\' OR sort_key LIKE ? ESCAPE '\\' OR sort_key LIKE ? ESCAPE '\\')`);
        args.push(`${f}%`, `%\u0001${f}%`, `% ${f}%`);
      }
    }
    args.push(q.limit, q.offset ?? 0);
    const rows = this.ctx.db
      .prepare(`SELECT id, unit_id, personnummer, given_name, family_name FROM clients WHERE ${where.join(' AND ')} ORDER BY sort_key, id LIMIT ? OFFSET ?`)
      .all(...args) as ClientRow[];
    return rows.map(toClient);
  }

  get(id: string): ClientRecord | null {
    const r = this.st.byId.get(id) as ClientRow | undefined;
    return r && this.ctx.unitInScope(r.unit_id) ? toClient(r) : null;
  }
}

export const clientsStore = defineStoreKind({
  name: 'client',
  schema: [
    {
      version: 1,
      name: 'clients',
      sql: `
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,
        personnummer TEXT NOT NULL,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        -- family, given name folded for Swedish order (å ä ö after z), computed on write
        sort_key TEXT NOT NULL
      );
      CREATE INDEX clients_unit_sort ON clients (unit_id, sort_key, id);
      CREATE INDEX clients_sort ON clients (sort_key, id);`,
    },
  ],
  open: (ctx) => new ClientsSql(ctx),
});
