-- A permission granted, changed or ended reaches the event streams of that person within seconds
-- (issue 19): the server LISTENs on this channel and re-checks the scope of her open streams at
-- once, instead of at the next keep-alive. The payload is the staff id (no personal data).
CREATE FUNCTION permissions_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('permissions_changed', coalesce(NEW.staff_id, OLD.staff_id)::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER permissions_notify AFTER INSERT OR UPDATE OR DELETE ON permissions
  FOR EACH ROW EXECUTE FUNCTION permissions_notify();
