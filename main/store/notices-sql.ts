import type { LocalNotice, NoticeRecord } from '#contract';
import { defineStoreKind, prepareAll, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/**
 * Notices (anslagstavla) in the store (docs/messages.md): cached so the banner and the notice page
 * work offline. One row per notice and unit, as the feed sends them; read once per notice.
 */
interface NoticeRow {
  id: string;
  notice_id: string;
  unit_id: string;
  title: string;
  text: string;
  show_from: string;
  show_until: string;
  outage_start: string | null;
  outage_end: string | null;
  published_by: string;
  published_at: string;
}
const COLS = 'id, notice_id, unit_id, title, text, show_from, show_until, outage_start, outage_end, published_by, published_at';
const toRecord = (r: NoticeRow): NoticeRecord => ({
  id: r.id,
  noticeId: r.notice_id,
  unitId: r.unit_id,
  title: r.title,
  text: r.text,
  showFrom: r.show_from,
  showUntil: r.show_until,
  outageStart: r.outage_start,
  outageEnd: r.outage_end,
  publishedBy: r.published_by,
  publishedAt: r.published_at,
});

export class NoticesSql implements KindPart<'notice'> {
  private readonly st;
  readonly mutations: LocalMutations<'notice'> = {};

  constructor(ctx: StoreContext) {
    this.st = prepareAll(ctx.db, {
      upsert: `INSERT INTO notices (${COLS})
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, r ->> 7, r ->> 8, r ->> 9, r ->> 10 FROM (SELECT value AS r FROM json_each(?)) WHERE true
        ON CONFLICT (id) DO UPDATE SET notice_id = excluded.notice_id, unit_id = excluded.unit_id, title = excluded.title, text = excluded.text,
          show_from = excluded.show_from, show_until = excluded.show_until, outage_start = excluded.outage_start, outage_end = excluded.outage_end,
          published_by = excluded.published_by, published_at = excluded.published_at`,
      del: 'DELETE FROM notices WHERE id = ?',
      purge: 'DELETE FROM notices WHERE unit_id = ?',
      byId: `SELECT ${COLS} FROM notices WHERE id = ?`,
      // One row per notice (the same notice of several units once), not past its display end.
      list: `SELECT ${COLS} FROM notices WHERE show_until > ? AND id IN (SELECT min(id) FROM notices GROUP BY notice_id) ORDER BY show_from, notice_id`,
    });
  }

  upsert(changes: UpsertOf<'notice'>[]): void {
    const u = (s: string | null) => (s === null ? null : utc(s));
    this.st.upsert.run(
      JSON.stringify(changes.map(({ record: r, unitId }) => [r.id, r.noticeId, unitId, r.title, r.text, utc(r.showFrom), utc(r.showUntil), u(r.outageStart), u(r.outageEnd), r.publishedBy, utc(r.publishedAt)])),
    );
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): NoticeRecord | null {
    const r = this.st.byId.get(id) as NoticeRow | undefined;
    return r ? toRecord(r) : null;
  }

  /** Notices not past their display end at `now`. */
  list(q: { now: string }): LocalNotice[] {
    return (this.st.list.all(utc(q.now)) as NoticeRow[]).map((r) => {
      const { id: _id, unitId: _unit, ...notice } = toRecord(r);
      return notice;
    });
  }
}

export const noticesStore = defineStoreKind({
  name: 'notice',
  schema: [
    {
      version: 7,
      name: 'notices',
      sql: `
      CREATE TABLE notices (
        id TEXT PRIMARY KEY,
        notice_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        show_from TEXT NOT NULL,
        show_until TEXT NOT NULL,
        outage_start TEXT,
        outage_end TEXT,
        published_by TEXT NOT NULL,
        published_at TEXT NOT NULL
      );
      CREATE INDEX notices_unit ON notices (unit_id);
      CREATE INDEX notices_until ON notices (show_until);`,
    },
  ],
  open: (ctx) => new NoticesSql(ctx),
});
