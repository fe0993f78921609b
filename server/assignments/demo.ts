import { swedishDate } from '#contract';
import type { GrantedService, HistoryAction, OfficerAction, ProviderAction, ServiceKind } from '#contract';
import type { StaffRole } from '#contract';
import type { Queryable } from '../db/types';
import { demoOrganisation } from '../seed/demo-people';
import { appendEvent } from './commands/history';
import { stateColumns } from './sql-rows';
import { applyOfficerAction, applyProviderAction, type AssignmentState, type Details } from './state-machine';

/**
 * Demo assignments (uppdrag): a realistic mix of new, confirmed, executed, paused, cancelled
 * (requested and confirmed) and ended ones across the demo clients, each with its history. Every
 * step is played through the real state machine at its own (past) time, so the history is one
 * the server itself could have written. Dated relative to the seeding day. Fictional.
 */

const OFFICER = 'SE2120001355-P000000000201'; // Maria Ek, biståndshandläggare
const SARA = 'SE2321000131-P000000000103';
const ANNA = 'SE2321000131-P000000000101';
const MOHAMMED = 'SE2321000131-P000000000102';
const KARIN = 'SE2321000131-P000000000106';
const ELIN = 'SE2321000131-P000000000104';
const JONAS = 'SE2321000131-P000000000105';

const omvardnad = (h: number): GrantedService => ({ code: 'HT-PO', name: 'Hemtjänst – personlig omvårdnad', grantedHours: h, per: 'month' });
const service = (h: number): GrantedService => ({ code: 'HT-SI', name: 'Hemtjänst – serviceinsatser (städ, tvätt, inköp)', grantedHours: h, per: 'month' });
const ledsagning = (h: number): GrantedService => ({ code: 'HT-LS', name: 'Ledsagning', grantedHours: h, per: 'month' });
const korttid = (h: number): GrantedService => ({ code: 'SOL-KT', name: 'Korttidsvistelse för avlösning', grantedHours: h, per: 'week' });
const daglig = (h: number): GrantedService => ({ code: 'LSS-9-10', name: 'Daglig verksamhet enligt 9 § 10 LSS', grantedHours: h, per: 'week' });

/** A step: days ago it happened, who did it, what. Dates inside actions are written as days ago too. */
type Step =
  | { daysAgo: number; by: string; officer: OfficerAction }
  | { daysAgo: number; by: string; provider: ProviderAction; distributeTo?: { unit: 'own'; staff: string[] } };

interface DemoAssignment {
  personnummer: string;
  decisionRef: string;
  /** Days ago (negative: in the future). */
  decisionDaysAgo: number;
  startDaysAgo: number;
  endDaysAgo?: number;
  services: GrantedService[];
  /** Default: the unit's main kind of service. */
  kind?: ServiceKind;
  freeText: string;
  sentDaysAgo: number;
  steps: Step[];
}

export async function insertDemoAssignments(tx: Queryable, now: Date): Promise<boolean> {
  const { rows: clients } = await tx.query<{ id: string; unit_id: string; personnummer: string; service_type: ServiceKind }>(
    `SELECT c.id, c.unit_id, c.personnummer, u.service_type FROM clients c JOIN units u ON u.id = c.unit_id JOIN organisations o ON o.id = u.organisation_id
      WHERE o.name = $1`,
    [demoOrganisation.name],
  );
  if (clients.length === 0) return false;
  const { rows: existing } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM assignments WHERE client_id = ANY($1::uuid[])', [
    clients.map((c) => c.id),
  ]);
  if ((existing[0]?.n ?? 0) > 0) return false;

  const { rows: staff } = await tx.query<{ id: string; hsa_id: string; given_name: string; family_name: string; title: string; role: StaffRole }>(
    'SELECT id, hsa_id, given_name, family_name, title, role FROM staff',
  );
  const byHsa = new Map(staff.map((s) => [s.hsa_id, s]));
  const person = (hsa: string) => {
    const s = byHsa.get(hsa);
    if (!s) throw new Error(`seed: demo staff ${hsa} missing`);
    return s;
  };
  if (!byHsa.has(OFFICER)) return false;

  const d = (daysAgo: number) => swedishDate(now, -daysAgo);

  for (const a of demoAssignments(d)) {
    const client = clients.find((c) => c.personnummer.trim() === a.personnummer);
    if (!client) continue;
    // Each step at 10:00 UTC (11 or 12 in Sweden) on its day, a few minutes apart; never in the future.
    const timeOf = (daysAgo: number, i: number) =>
      new Date(Math.min(new Date(`${d(daysAgo)}T10:00:00Z`).getTime() + i * 7 * 60_000, now.getTime() - (30 - i) * 60_000));
    let state: AssignmentState = {
      status: 'new',
      unitId: client.unit_id,
      decision: { reference: a.decisionRef, date: d(a.decisionDaysAgo) },
      services: a.services,
      serviceKind: a.kind ?? client.service_type,
      startDate: d(a.startDaysAgo),
      endDate: a.endDaysAgo === undefined ? null : d(a.endDaysAgo),
      freeText: a.freeText,
      confirmedAt: null,
      distributedTo: null,
      executionDate: null,
      pauses: [],
      registrations: [],
      cancellation: null,
      changePending: false,
    };
    const sentAt = timeOf(a.sentDaysAgo, 0);
    const events: { at: Date; by: string; action: HistoryAction; details: Details }[] = [
      { at: sentAt, by: OFFICER, action: 'send', details: { decisionReference: a.decisionRef, startDate: state.startDate, services: a.services.length } },
    ];
    for (const [i, step] of a.steps.entries()) {
      const at = timeOf(step.daysAgo, i + 1);
      const ctx = { today: swedishDate(at), now: at };
      let action: ProviderAction | OfficerAction;
      let outcome;
      if ('officer' in step) {
        action = step.officer;
        outcome = applyOfficerAction(state, step.officer, ctx);
      } else {
        const provider: ProviderAction = step.distributeTo
          ? { type: 'distribute', unitId: client.unit_id, staffIds: step.distributeTo.staff.map((h) => person(h).id) }
          : step.provider;
        action = provider;
        outcome = applyProviderAction(state, provider, ctx);
      }
      if (!outcome.ok) throw new Error(`seed: demo assignment ${a.decisionRef} step ${i + 1} refused: ${outcome.message}`);
      state = outcome.state;
      events.push({ at, by: step.by, action: action.type, details: outcome.details });
    }

    const cols = stateColumns(state, 2);
    const n = cols.values.length;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO assignments (client_id, ${cols.names.join(', ')}, sent_by_staff_id, created_at, updated_at, version)
       VALUES ($1, ${cols.placeholders.join(', ')}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}) RETURNING id`,
      [client.id, ...cols.values, person(OFFICER).id, sentAt, events.at(-1)!.at, events.length],
    );
    const id = rows[0]!.id;
    for (const [v, e] of events.entries()) {
      const s = person(e.by);
      const actor = { id: s.id, hsaId: s.hsa_id, givenName: s.given_name, familyName: s.family_name, title: s.title, role: s.role };
      await appendEvent(tx, { assignmentId: id, version: v + 1, action: e.action, actor, details: e.details, at: e.at });
    }
  }
  return true;
}

function demoAssignments(d: (daysAgo: number) => string): DemoAssignment[] {
  const confirm = (daysAgo: number, by: string): Step => ({ daysAgo, by, provider: { type: 'confirm' } });
  const execute = (daysAgo: number, by: string, dateDaysAgo = daysAgo): Step => ({ daysAgo, by, provider: { type: 'execute', executionDate: d(dateDaysAgo) } });
  const distribute = (daysAgo: number, by: string, staff: string[]): Step => ({
    daysAgo,
    by,
    provider: { type: 'distribute', unitId: '00000000-0000-4000-8000-000000000000', staffIds: [] },
    distributeTo: { unit: 'own', staff },
  });
  return [
    // --- Ny ---
    {
      personnummer: '191212121212', decisionRef: 'SoL-2026-0412', decisionDaysAgo: 0, startDaysAgo: -7, sentDaysAgo: 0,
      services: [omvardnad(24), service(8)],
      freeText: 'Brukaren har kommit hem från sjukhus och behöver hjälp med morgon- och kvällsrutiner. Nyckel kvitteras hos anhörig.',
      steps: [],
    },
    {
      personnummer: '193012299263', decisionRef: 'SoL-2026-0398', decisionDaysAgo: 1, startDaysAgo: -3, sentDaysAgo: 1,
      services: [service(6)],
      freeText: 'Hjälp med städning varannan vecka samt tvätt. Brukaren vill gärna vara delaktig i städningen.',
      steps: [],
    },
    {
      personnummer: '199006022397', decisionRef: 'LSS-2026-0087', decisionDaysAgo: 2, startDaysAgo: -14, sentDaysAgo: 2,
      services: [daglig(25)],
      freeText: 'Önskar arbete med händerna, gärna snickeri eller trädgård. Behöver bildstöd vid förändringar.',
      steps: [],
    },
    // --- Kvitterad ---
    {
      personnummer: '193008077723', decisionRef: 'SoL-2026-0371', decisionDaysAgo: 5, startDaysAgo: -2, sentDaysAgo: 4,
      services: [omvardnad(12), ledsagning(4)],
      freeText: 'Ledsagning till vårdcentralen och promenader. Brukaren har nedsatt syn.',
      steps: [confirm(3, SARA)],
    },
    {
      personnummer: '198705212382', decisionRef: 'LSS-2026-0079', decisionDaysAgo: 7, startDaysAgo: -5, sentDaysAgo: 6,
      services: [daglig(30)],
      freeText: 'Fortsatt daglig verksamhet efter flytt från annan stadsdel. Caféverksamhet önskas.',
      steps: [confirm(5, JONAS), distribute(5, JONAS, [ELIN])],
    },
    {
      personnummer: '196108193175', decisionRef: 'SoL-2026-0355', decisionDaysAgo: 9, startDaysAgo: -1, sentDaysAgo: 8,
      services: [service(4)],
      freeText: 'Inköp en gång i veckan.',
      steps: [confirm(7, ANNA), { daysAgo: 6, by: ANNA, provider: { type: 'report', message: 'Brukaren önskar att inköpen görs på fredagar. Vi planerar in det från start.' } }],
    },
    // --- Verkställd ---
    {
      personnummer: '193805028432', decisionRef: 'SoL-2026-0211', decisionDaysAgo: 42, startDaysAgo: 36, sentDaysAgo: 40,
      services: [omvardnad(30), service(8)],
      freeText: 'Hjälp med dusch två gånger i veckan, påklädning och måltider.',
      steps: [
        confirm(39, SARA),
        distribute(39, SARA, [ANNA, MOHAMMED]),
        execute(35, SARA),
        { daysAgo: 35, by: SARA, provider: { type: 'report', message: 'Insatserna startade i dag enligt beslutet.' } },
      ],
    },
    {
      personnummer: '194001079120', decisionRef: 'SoL-2026-0260', decisionDaysAgo: 28, startDaysAgo: 25, sentDaysAgo: 27,
      services: [omvardnad(16)],
      freeText: 'Tillsyn och hjälp med medicinpåminnelse morgon och kväll.',
      steps: [
        confirm(26, KARIN),
        execute(20, KARIN),
        // The date was wrong: services actually started two days earlier. The first date stays in the history.
        execute(19, KARIN, 22),
        { daysAgo: 19, by: KARIN, provider: { type: 'report', message: 'Verkställighetsdatumet rättat: insatserna startade två dagar tidigare än först angivet.' } },
      ],
    },
    {
      personnummer: '194201199124', decisionRef: 'SoL-2025-1190', decisionDaysAgo: 65, startDaysAgo: 61, sentDaysAgo: 64,
      services: [omvardnad(40), service(8)],
      freeText: 'Omfattande omvårdnadsbehov. Dubbelbemanning vid förflyttning.',
      steps: [
        confirm(63, SARA),
        execute(60, SARA),
        { daysAgo: 10, by: ANNA, provider: { type: 'pause', from: d(10), reason: 'Sjukhusvistelse' } },
        { daysAgo: 4, by: ANNA, provider: { type: 'resume', to: d(4) } },
      ],
    },
    {
      personnummer: '196107293059', decisionRef: 'SoL-2025-1102', decisionDaysAgo: 95, startDaysAgo: 90, sentDaysAgo: 94,
      services: [omvardnad(10)],
      freeText: 'Hjälp med morgonrutiner.',
      steps: [
        confirm(93, KARIN),
        execute(90, KARIN),
        { daysAgo: 10, by: OFFICER, officer: { type: 'change', services: [omvardnad(18), service(4)], freeText: 'Hjälp med morgonrutiner. Utökat efter uppföljning: även kvällsbesök och inköp.' } },
      ],
    },
    {
      personnummer: '199610202385', decisionRef: 'LSS-2025-0310', decisionDaysAgo: 125, startDaysAgo: 120, sentDaysAgo: 124,
      services: [daglig(20)],
      freeText: 'Daglig verksamhet fyra dagar i veckan.',
      steps: [
        confirm(123, ELIN),
        execute(120, ELIN),
        { daysAgo: 9, by: ELIN, provider: { type: 'report', message: 'Uppföljning gjord med brukaren. Fortsätter enligt beslutet.' } },
      ],
    },
    {
      // A short-term stay (korttidsvistelse) at the home-care unit's short-term home: presence is registered.
      personnummer: '196109072972', decisionRef: 'SoL-2026-0288', decisionDaysAgo: 24, startDaysAgo: 20, sentDaysAgo: 23,
      services: [korttid(48)], kind: 'korttidsvistelse',
      freeText: 'Korttidsvistelse varannan vecka för avlastning av anhörig.',
      steps: [
        confirm(22, SARA),
        execute(20, SARA),
        { daysAgo: 5, by: SARA, provider: { type: 'register_presence', from: d(13), to: d(7) } },
      ],
    },
    // --- Pausad ---
    {
      personnummer: '194408139089', decisionRef: 'SoL-2025-1240', decisionDaysAgo: 52, startDaysAgo: 50, sentDaysAgo: 51,
      services: [omvardnad(20)],
      freeText: 'Hjälp med personlig hygien och måltider.',
      steps: [confirm(51, SARA), execute(50, SARA), { daysAgo: 3, by: MOHAMMED, provider: { type: 'pause', from: d(3), reason: 'Sjukhusvistelse' } }],
    },
    {
      personnummer: '199107172380', decisionRef: 'LSS-2025-0277', decisionDaysAgo: 92, startDaysAgo: 90, sentDaysAgo: 91,
      services: [daglig(30)],
      freeText: 'Arbete i verksamhetens café.',
      steps: [confirm(91, JONAS), execute(90, JONAS), { daysAgo: 6, by: JONAS, provider: { type: 'pause', from: d(6), reason: 'Brukaren bortrest med familjen' } }],
    },
    // --- Avbeställd (väntar på bekräftelse) och avbeställd ---
    {
      personnummer: '195312242083', decisionRef: 'SoL-2026-0330', decisionDaysAgo: 7, startDaysAgo: -10, sentDaysAgo: 6,
      services: [service(6)],
      freeText: 'Städning och tvätt.',
      steps: [confirm(5, ANNA), { daysAgo: 1, by: OFFICER, officer: { type: 'cancel', reason: 'Brukaren har flyttat till särskilt boende.' } }],
    },
    {
      personnummer: '195711212893', decisionRef: 'SoL-2026-0301', decisionDaysAgo: 13, startDaysAgo: 5, sentDaysAgo: 12,
      services: [ledsagning(6)],
      freeText: 'Ledsagning till aktiviteter på träffpunkten.',
      steps: [
        { daysAgo: 8, by: OFFICER, officer: { type: 'cancel', reason: 'Brukaren har tackat nej till insatsen.' } },
        { daysAgo: 7, by: SARA, provider: { type: 'confirm_cancellation' } },
      ],
    },
    // --- Avslutad ---
    {
      personnummer: '195712302842', decisionRef: 'SoL-2025-0822', decisionDaysAgo: 205, startDaysAgo: 200, sentDaysAgo: 204,
      services: [omvardnad(14), service(6)],
      freeText: 'Hjälp med morgon- och kvällsrutiner samt städning.',
      steps: [
        confirm(203, KARIN),
        execute(200, KARIN),
        { daysAgo: 15, by: KARIN, provider: { type: 'report', message: 'Brukaren flyttar till annan kommun den 15:e. Vi avslutar insatserna då.' } },
        { daysAgo: 15, by: KARIN, provider: { type: 'end', endDate: d(15), reason: 'Brukaren har flyttat till annan kommun.' } },
      ],
    },
    {
      personnummer: '199312172381', decisionRef: 'LSS-2025-0190', decisionDaysAgo: 155, startDaysAgo: 150, sentDaysAgo: 154,
      services: [daglig(25)],
      freeText: 'Daglig verksamhet med inriktning trädgård.',
      steps: [
        confirm(153, ELIN),
        execute(150, ELIN),
        { daysAgo: 30, by: OFFICER, officer: { type: 'end', endDate: d(30), reason: 'Brukaren har börjat på en annan daglig verksamhet.' } },
      ],
    },
  ];
}
