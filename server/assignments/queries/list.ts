import { AssignmentStatus as StatusEnum, type AssignmentListQuery, type AssignmentListResponse, type AssignmentStatus } from '#contract';
import type { Queryable } from '../../db/types';
import { decodeCursor, encodeCursor, type CursorCast } from '../cursor';
import type { Scope } from '../scope';
import { SELECT, toSummary, type Row } from '../sql-rows';

interface SortKey {
  expr: string;
  cast: CursorCast;
}
const SORTS: Record<AssignmentListQuery['sort'], { desc: boolean; keys: SortKey[] }> = {
  updated_desc: { desc: true, keys: [{ expr: 'a.updated_at', cast: 'timestamptz' }] },
  received_desc: { desc: true, keys: [{ expr: 'a.created_at', cast: 'timestamptz' }] },
  start_asc: { desc: false, keys: [{ expr: 'a.start_date', cast: 'date' }] },
  start_desc: { desc: true, keys: [{ expr: 'a.start_date', cast: 'date' }] },
  client_asc: { desc: false, keys: [{ expr: 'c.family_name', cast: 'text' }, { expr: 'c.given_name', cast: 'text' }] },
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * One page of the assignments in scope, filtered and sorted, with keyset paging (the cursor holds
 * the sort's key values and the last id) and the count per status of the filtered set.
 */
export async function listAssignments(db: Queryable, scope: Scope, query: AssignmentListQuery): Promise<AssignmentListResponse> {
  const counts = Object.fromEntries(StatusEnum.options.map((s) => [s, 0])) as Record<AssignmentStatus, number>;
  if (scope !== 'all' && !('officer' in scope) && scope.size === 0) return { items: [], nextCursor: null, counts };

  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (scope !== 'all' && 'officer' in scope) where.push(`EXISTS (SELECT 1 FROM assignments o WHERE o.client_id = a.client_id AND o.sent_by_staff_id = ${p(scope.officer)}::uuid)`);
  else if (scope !== 'all') where.push(`a.unit_id = ANY(${p([...scope])}::uuid[])`);
  if (query.unitId) where.push(`a.unit_id = ${p(query.unitId)}::uuid`);
  if (query.from) where.push(`a.start_date >= ${p(query.from)}::date`);
  if (query.to) where.push(`a.start_date <= ${p(query.to)}::date`);
  if (query.client) {
    const digits = query.client.replace(/[\s-]/g, '');
    if (/^\d+$/.test(digits)) {
      where.push(`c.personnummer LIKE ${p(`%${digits}%`)}`);
    } else {
      const like = p(`%${likeEscape(query.client)}%`);
      where.push(`(c.given_name || ' ' || c.family_name ILIKE ${like} OR c.family_name || ' ' || c.given_name ILIKE ${like})`);
    }
  }
  const base = `FROM assignments a JOIN clients c ON c.id = a.client_id`;
  const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { rows: countRows } = await db.query<{ status: AssignmentStatus; n: number }>(
    `SELECT a.status, count(*)::int AS n ${base} ${countWhere} GROUP BY a.status`,
    params,
  );
  for (const r of countRows) counts[r.status] = r.n;

  if (query.status) where.push(`a.status = ANY(${p(query.status)}::text[])`);
  const sort = SORTS[query.sort];
  const dir = sort.desc ? 'DESC' : 'ASC';
  if (query.cursor) {
    const values = decodeCursor(query.cursor, query.sort, sort.keys.map((k) => k.cast));
    const left = [...sort.keys.map((k) => k.expr), 'a.id'].join(', ');
    const right = [...sort.keys.map((k, i) => `${p(values[i])}::${k.cast}`), `${p(values.at(-1))}::uuid`].join(', ');
    where.push(`(${left}) ${sort.desc ? '<' : '>'} (${right})`);
  }
  const orderBy = [...sort.keys.map((k) => `${k.expr} ${dir}`), `a.id ${dir}`].join(', ');
  const keyCols = sort.keys.map((k, i) => `, (${k.expr})::text AS sort_key_${i}`).join('');
  const { rows } = await db.query<Row & Record<string, string>>(
    `${SELECT.replace('SELECT a.id,', `SELECT a.id${keyCols},`)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${orderBy} LIMIT ${p(query.limit + 1)}`,
    params,
  );
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  const nextCursor =
    more && last ? encodeCursor(query.sort, [...sort.keys.map((_k, i) => String(last[`sort_key_${i}`])), last.id]) : null;
  return { items: page.map(toSummary), nextCursor, counts };
}

