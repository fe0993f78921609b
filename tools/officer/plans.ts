import {
  CONSENT_HOW_SV,
  CONSENT_STATUS_SV,
  GOAL_OUTCOME_SV,
  LIFE_AREA_LABELS_SV,
  PARTICIPANT_ROLE_SV,
  type OfficerPlan,
  type OfficerPlanListItem,
  type PlanUnitStats,
} from '#contract';
import type { OfficerApi } from './api';
import { CliError, table, type Out } from './format';

/** The options the plan commands read. */
export interface PlanCommandOptions {
  client?: string;
}

/**
 * The case officer's implementation-plan commands (docs/plans.md): `plans --client PERSONNUMMER`
 * lists a client's plans with their consent, `plan ID` prints the current set version (the server
 * refuses it without consent and says so), `plan-stats` prints the municipality's follow-up per unit.
 */
export const PLAN_COMMANDS = ['plans', 'plan', 'plan-stats'] as const;
export type PlanCommand = (typeof PLAN_COMMANDS)[number];

const CONSENT_TEXT: Record<OfficerPlanListItem['consent'], string> = { given: 'lämnat', refused: 'nekat', revoked: 'återkallat', none: 'saknas' };

export async function runPlanCommand(api: OfficerApi, command: PlanCommand, idArg: string | undefined, o: PlanCommandOptions, io: Out): Promise<void> {
  switch (command) {
    case 'plans': {
      if (!o.client) throw new CliError('plans behöver --client PERSONNUMMER (eller brukarens id).');
      const clientId = await clientIdOf(api, o.client);
      const { plans } = await api.plans(clientId);
      printPlans(plans, io);
      return;
    }
    case 'plan': {
      if (!idArg || !/^[0-9a-f-]{36}$/i.test(idArg)) throw new CliError('Ange planens fullständiga id: npm run officer -- plan ID (id:t visas av plans --client …).');
      printPlan(await api.plan(idArg.toLowerCase()), io);
      return;
    }
    case 'plan-stats': {
      const stats = await api.planStats();
      printStats(stats.units, stats.at, io);
      return;
    }
  }
}

/** The client of an assignment found by personnummer or name (or the id itself). */
async function clientIdOf(api: OfficerApi, client: string): Promise<string> {
  if (/^[0-9a-f-]{36}$/i.test(client)) return client.toLowerCase();
  const page = await api.list({ client, limit: '50' });
  const ids = [...new Set(page.items.map((a) => a.clientId))];
  if (ids.length === 0) throw new CliError(`Ingen brukare med uppdrag matchar "${client}".`);
  if (ids.length > 1) throw new CliError(`Flera brukare matchar "${client}"; ange hela personnumret.`);
  return ids[0]!;
}

export function printPlans(plans: OfficerPlanListItem[], io: Out): void {
  if (plans.length === 0) {
    io.out('Brukaren har ingen genomförandeplan.');
    return;
  }
  table(['Id', 'Enhet', 'Version', 'Fastställd', 'Samtycke'], plans.map((p) => [p.planId, p.unitName, p.versionNo ? String(p.versionNo) : '–', p.setOn ?? 'ej fastställd', CONSENT_TEXT[p.consent]]), io);
}

export function printPlan(p: OfficerPlan, io: Out): void {
  const v = p.version;
  const c = v.content;
  io.out(`Genomförandeplan, ${p.unitName}: version ${v.versionNo}, fastställd ${v.setOn} av ${v.setBy.name} (${v.setBy.title})`);
  io.out(`${CONSENT_STATUS_SV[p.consent.status]} ${p.consent.date}, ${CONSENT_HOW_SV[p.consent.how]}${p.consent.givenBy === 'representative' ? ` av företrädare ${p.consent.representative}` : ''}`);
  io.out('');
  io.out(`Brukarens egna mål: ${c.clientGoals || '–'}`);
  for (const a of c.areas) {
    io.out(`${LIFE_AREA_LABELS_SV[a.lifeArea]}`);
    if (a.needs) io.out(`  Behov: ${a.needs}`);
    for (const g of a.goals) io.out(`  Mål: ${g.text}`);
  }
  io.out('Aktiviteter:');
  for (const a of c.activities) io.out(`  ${a.what} — ${a.who}${a.how ? `; ${a.how}` : ''}${a.when ? `; ${a.when}` : ''}${a.ksiCode ? ` [KSI ${a.ksiCode}]` : ''}`);
  io.out(`Delaktighet: ${c.participation || '–'}`);
  io.out(`Andra som deltog: ${c.othersPresent.map((x) => `${PARTICIPANT_ROLE_SV[x.role]}${x.name ? ` ${x.name}` : ''}`).join(', ') || '–'}`);
  io.out(`Samverkan: ${c.cooperation || '–'}`);
  io.out(`Uppföljning: ${c.followUp.date ?? 'inget datum'}${c.followUp.how ? `, ${c.followUp.how}` : ''}`);
  for (const f of p.followUps) {
    io.out(`Uppföljd ${f.date} av ${f.recordedBy.name}${f.revise ? ' (planen ska revideras)' : ''}: ${f.outcomes.map((o) => GOAL_OUTCOME_SV[o.outcome]).join(', ') || '–'}`);
  }
}

export function printStats(units: PlanUnitStats[], at: string, io: Out): void {
  io.out(`Genomförandeplaner per enhet, ${at}`);
  const pct = (n: number, of: number) => (of === 0 ? '–' : `${Math.round((100 * n) / of)} %`);
  table(
    ['Enhet', 'Aktiva brukare', 'Med fastställd plan', 'Andel', 'Försenad revidering'],
    units.map((u) => [u.unitName, String(u.activeClients), String(u.withSetPlan), pct(u.withSetPlan, u.activeClients), String(u.overdueRevision)]),
    io,
  );
}
