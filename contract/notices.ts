import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
import { defineSyncKind } from './sync-kind';
import { IsoDateTime, Label, WrittenText } from './values';

/**
 * The notice board (anslagstavla), docs/messages.md: operational news from the municipality or the
 * provider's administrator — above all planned outages (planerade driftstopp), announced days
 * ahead. A notice is published to units (one record per unit, the same `noticeId`), so it reaches
 * the workstations through each unit's sync feed and is readable offline from the store. It is
 * shown as a banner on every screen from `showFrom` until `showUntil`; the workstation warns at
 * login when an outage starts within 24 hours. Workstations only read notices: no mutations.
 */
export const NoticeRecord = z.object({
  id: Uuid,
  noticeId: Uuid,
  unitId: Uuid,
  title: z.string().min(1).max(200),
  text: z.string().max(4_000),
  showFrom: IsoDateTime,
  showUntil: IsoDateTime,
  outageStart: IsoDateTime.nullable(),
  outageEnd: IsoDateTime.nullable(),
  publishedBy: z.string(),
  publishedAt: IsoDateTime,
});
export type NoticeRecord = z.infer<typeof NoticeRecord>;

export const noticesKind = defineSyncKind({ name: 'notice', record: NoticeRecord, mutations: [] });

const before = (a: string | null | undefined, b: string | null | undefined) => !a || !b || Date.parse(a) < Date.parse(b);

export const PublishNotice = z
  .object({
    ...CreateId,
    title: Label(200),
    text: WrittenText(4_000),
    showFrom: IsoDateTime,
    showUntil: IsoDateTime,
    outageStart: IsoDateTime.nullable().default(null),
    outageEnd: IsoDateTime.nullable().default(null),
    /** The units it is for; absent: every unit the publisher may publish to. */
    unitIds: z.array(Uuid).min(1).max(500).optional(),
  })
  .strict()
  .refine((n) => before(n.showFrom, n.showUntil), { message: 'Visningen måste sluta efter att den börjar.', path: ['showUntil'] })
  .refine((n) => (n.outageStart === null) === (n.outageEnd === null), { message: 'Ange både start och slut för driftstoppet.', path: ['outageEnd'] })
  .refine((n) => before(n.outageStart, n.outageEnd), { message: 'Driftstoppet måste sluta efter att det börjar.', path: ['outageEnd'] });
export type PublishNotice = z.infer<typeof PublishNotice>;

export const PublishedNotice = z.object({ noticeId: Uuid, units: z.number().int().positive() });

export const WithdrawnNotice = z.object({ noticeId: Uuid, units: z.number().int().positive() });

export const noticeRoutes = {
  /** Case officers (any unit) and the provider's administrator (it_contact in force: the units of the grant). */
  publish: { method: 'POST', path: '/api/v1/notices', body: PublishNotice, response: PublishedNotice },
  /** Withdraws a notice (`:id` its noticeId) from every unit: gone from the workstations at their next pull. Who may publish to all its units. */
  withdraw: { method: 'POST', path: '/api/v1/notices/:id/withdraw', body: z.object({}).strict(), response: WithdrawnNotice },
} as const;

/** One notice as the workstation shows it (the same notice of several units once). */
export const LocalNotice = NoticeRecord.omit({ id: true, unitId: true });
export type LocalNotice = z.infer<typeof LocalNotice>;

export const noticesApi = {
  /** Every notice not yet past its display end, from the store (readable offline); the renderer picks the current ones by its clock. */
  list: call(z.object({}).strict(), z.array(LocalNotice)),
} as const;
