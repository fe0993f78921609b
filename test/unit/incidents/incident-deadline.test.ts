import { describe, expect, it } from 'vitest';
import { toIncident } from '../../../server/incidents/store';

const base = {
  id: '00000000-0000-4000-8000-000000000001',
  what: 'Borttappat kort.',
  systems: '',
  discovered_at: new Date('2026-12-01T08:00:00Z'),
  reported_at: new Date('2026-12-01T09:00:00Z'),
  reported_by_name: 'Anna Lindqvist',
  reported_by_staff_id: '00000000-0000-4000-8000-000000000002',
  municipality_reported_at: null,
  municipality_channel: null,
  municipality_reference: null,
  municipality_reported_by_name: null,
  closed_at: null,
  closed_by_name: null,
  closing_comment: null,
  client_count: 0,
};

describe('the 48-hour deadline, computed by the server', () => {
  it('is discovery + 48 h; open and not overdue until then, overdue the millisecond after', () => {
    const at = (iso: string) => toIncident(base, new Date(iso), null);
    expect(at('2026-12-03T08:00:00.000Z')).toMatchObject({ deadlineAt: '2026-12-03T08:00:00.000Z', status: 'open', overdue: false });
    expect(at('2026-12-03T08:00:00.001Z')).toMatchObject({ status: 'open', overdue: true });
  });

  it('once reported to the municipality it is no longer overdue; a report after the deadline is marked late', () => {
    const now = new Date('2026-12-05T08:00:00Z');
    const onTime = toIncident({ ...base, municipality_reported_at: new Date('2026-12-03T07:59:00Z'), municipality_channel: 'phone', municipality_reported_by_name: 'Peter Svensson' }, now, null);
    expect(onTime).toMatchObject({ status: 'reported', overdue: false, municipality: { late: false, channel: 'phone', by: 'Peter Svensson', reference: '' } });
    const late = toIncident({ ...base, municipality_reported_at: new Date('2026-12-03T09:00:00Z'), municipality_channel: 'email', closed_at: now, closed_by_name: 'Peter Svensson' }, now, null);
    expect(late).toMatchObject({ status: 'closed', overdue: false, municipality: { late: true }, closed: { by: 'Peter Svensson', comment: '' } });
  });
});
