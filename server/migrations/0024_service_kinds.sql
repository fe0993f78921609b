-- Kinds of service (tjänsteformer), issue 20's guard rails (docs/assignments.md): a unit provides
-- one or several kinds, an assignment is for one. A distribution goes only to a unit that provides
-- the assignment's kind; absence (frånvaro) is registered only for special housing, presence
-- (närvaro) only for short-term stays. The server checks both; the columns keep rows coherent.

ALTER TABLE units ADD COLUMN service_kinds text[];
UPDATE units SET service_kinds = ARRAY[service_type];
ALTER TABLE units ALTER COLUMN service_kinds SET NOT NULL;
ALTER TABLE units ADD CONSTRAINT units_service_kinds_check CHECK (
  cardinality(service_kinds) >= 1
  AND service_kinds <@ ARRAY['hemtjanst', 'sarskilt_boende', 'korttidsvistelse', 'daglig_verksamhet']::text[]
  AND service_type = ANY (service_kinds)
);

-- A unit inserted with its main kind only (service_type) provides that kind.
CREATE FUNCTION units_default_service_kinds() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.service_kinds IS NULL THEN
    NEW.service_kinds := ARRAY[NEW.service_type];
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER units_default_service_kinds BEFORE INSERT ON units FOR EACH ROW EXECUTE FUNCTION units_default_service_kinds();

-- An existing assignment is of its unit's main kind (the only kind units had until now).
ALTER TABLE assignments ADD COLUMN service_kind text;
UPDATE assignments a SET service_kind = u.service_type FROM units u WHERE u.id = a.unit_id;
ALTER TABLE assignments ALTER COLUMN service_kind SET NOT NULL;
ALTER TABLE assignments ADD CONSTRAINT assignments_service_kind_check
  CHECK (service_kind IN ('hemtjanst', 'sarskilt_boende', 'korttidsvistelse', 'daglig_verksamhet'));
