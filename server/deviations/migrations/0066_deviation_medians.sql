-- Avvikelser (issue 27, docs/deviations.md): median lead times per unit × month × category.
-- The rollup (0065) kept sums, so only means could be read from it; a quality follow-up wants
-- medians. Each rollup row now also keeps its lead times sorted (days, as in the sums): the
-- trigger puts a new one in its place, and the median is a stored generated column of the row:
-- no sort of the deviations, nor of the lead times, at request time. A lead time is only ever added (received and closed are set once;
-- the report cannot be deleted), so the arrays never need a value taken out.

ALTER TABLE deviation_month_stats
  ADD COLUMN receive_days_sorted double precision[] NOT NULL DEFAULT '{}',
  ADD COLUMN close_days_sorted double precision[] NOT NULL DEFAULT '{}';

-- The deviations so far, each row's lead times in order.
UPDATE deviation_month_stats s SET
  receive_days_sorted = coalesce((
    SELECT array_agg(extract(epoch FROM d.received_at - d.reported_at) / 86400 ORDER BY extract(epoch FROM d.received_at - d.reported_at))
      FROM deviations d WHERE d.unit_id = s.unit_id AND d.reported_month = s.month AND d.category = s.category AND d.received_at IS NOT NULL), '{}'),
  close_days_sorted = coalesce((
    SELECT array_agg(extract(epoch FROM d.closed_at - d.reported_at) / 86400 ORDER BY extract(epoch FROM d.closed_at - d.reported_at))
      FROM deviations d WHERE d.unit_id = s.unit_id AND d.reported_month = s.month AND d.category = s.category AND d.closed_at IS NOT NULL), '{}');

-- `sorted` with `v` in its place (after any equal value).
CREATE FUNCTION deviation_sorted_insert(sorted double precision[], v double precision) RETURNS double precision[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(sorted[:k], '{}') || v || coalesce(sorted[k + 1:], '{}')
    FROM (SELECT count(*)::int AS k FROM unnest(sorted) x WHERE x <= v) n
$$;

-- The median of a sorted array (null when empty), to one decimal as the means were.
CREATE FUNCTION deviation_sorted_median(sorted double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN cardinality(sorted) > 0
    THEN round(((sorted[(cardinality(sorted) + 1) / 2] + sorted[cardinality(sorted) / 2 + 1]) / 2)::numeric, 1)::float8 END
$$;

-- Kept with the row (computed when a lead time is added), so a request reads two numbers a row, as it did the sums.
ALTER TABLE deviation_month_stats
  ADD COLUMN receive_median double precision GENERATED ALWAYS AS (deviation_sorted_median(receive_days_sorted)) STORED,
  ADD COLUMN close_median double precision GENERATED ALWAYS AS (deviation_sorted_median(close_days_sorted)) STORED;

CREATE OR REPLACE FUNCTION deviation_stats_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  dr integer := 0;
  dc integer := 0;
  rd double precision := 0;
  cd double precision := 0;
BEGIN
  IF NEW.received_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.received_at IS NULL) THEN
    dr := 1;
    rd := extract(epoch FROM NEW.received_at - NEW.reported_at) / 86400;
  END IF;
  IF NEW.closed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.closed_at IS NULL) THEN
    dc := 1;
    cd := extract(epoch FROM NEW.closed_at - NEW.reported_at) / 86400;
  END IF;
  IF TG_OP = 'INSERT' OR dr <> 0 OR dc <> 0 THEN
    INSERT INTO deviation_month_stats AS s (unit_id, month, category, reported, received, closed, receive_days, close_days, receive_days_sorted, close_days_sorted)
    VALUES (NEW.unit_id, NEW.reported_month, NEW.category, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE 0 END, dr, dc, rd, cd,
            CASE WHEN dr = 1 THEN ARRAY[rd] ELSE '{}' END, CASE WHEN dc = 1 THEN ARRAY[cd] ELSE '{}' END)
    ON CONFLICT (unit_id, month, category) DO UPDATE SET reported = s.reported + excluded.reported, received = s.received + excluded.received,
      closed = s.closed + excluded.closed, receive_days = s.receive_days + excluded.receive_days, close_days = s.close_days + excluded.close_days,
      receive_days_sorted = CASE WHEN dr = 1 THEN deviation_sorted_insert(s.receive_days_sorted, rd) ELSE s.receive_days_sorted END,
      close_days_sorted = CASE WHEN dc = 1 THEN deviation_sorted_insert(s.close_days_sorted, cd) ELSE s.close_days_sorted END;
  END IF;
  RETURN NULL;
END
$$;
