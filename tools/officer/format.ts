import { z } from 'zod';
import {
  ASSIGNMENT_STATUS_LABELS,
  HISTORY_ACTION_LABELS,
  type Assignment,
  type AssignmentListResponse,
  type AssignmentSummary,
  type GrantedService,
  SERVICE_KIND_LABELS,
} from '#contract';
import { swedishDateTime as when } from '#contract';
import { formatPersonnummer } from '#contract';
import { AppFailure } from '#contract';

/** A mistake on the command line: its Swedish message is all the officer needs to see. */
export class CliError extends Error {}

/** What the officer command prints to: lines on stdout and on stderr. */
export interface Out {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const shortId = (id: string) => id.slice(0, 8);
const hours = (s: GrantedService) => `${String(s.grantedHours).replace('.', ',')} h/${s.per === 'week' ? 'vecka' : 'mån'}`;
const statusText = (a: AssignmentSummary) =>
  a.status === 'cancellation_requested' ? 'Avbeställd (ej bekräftad av utföraren)' : ASSIGNMENT_STATUS_LABELS[a.status];

/** A list page: the counts per status, then a table of the assignments. */
export function printList(page: AssignmentListResponse, io: Out): void {
  const counts = Object.entries(page.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s === 'cancellation_requested' ? 'Avbeställda, ej bekräftade' : ASSIGNMENT_STATUS_LABELS[s as keyof typeof ASSIGNMENT_STATUS_LABELS]}: ${n}`);
  io.out(`Uppdrag (${counts.join(', ') || 'inga'})`);
  if (page.items.length === 0) {
    io.out('Inga uppdrag matchar.');
    return;
  }
  const rows = page.items.map((a) => [
    shortId(a.id),
    statusText(a),
    `${a.client.givenName} ${a.client.familyName}`,
    formatPersonnummer(a.client.personnummer),
    a.unitName,
    a.decision.reference,
    a.startDate,
    a.confirmedAt ? when(a.confirmedAt) : '–',
    a.executionDate ?? '–',
    a.pauses.length ? a.pauses.map((p) => `${p.from}–${p.to ?? 'pågår'}`).join(', ') : '–',
  ]);
  table(['Id', 'Status', 'Brukare', 'Personnummer', 'Enhet', 'Beslut', 'Start', 'Kvitterad', 'Verkställd', 'Avbrott'], rows, io);
  if (page.nextCursor) io.out(`… fler finns; visa fler med --limit.`);
}

/** One assignment with its full history. */
export function printAssignment(a: Assignment, io: Out): void {
  io.out(`Uppdrag ${a.id}  (kort id ${shortId(a.id)})`);
  io.out(`  Status:        ${statusText(a)}`);
  io.out(`  Brukare:       ${a.client.givenName} ${a.client.familyName}, ${formatPersonnummer(a.client.personnummer)}`);
  io.out(`  Enhet:         ${a.unitName}`);
  io.out(`  Tjänsteform:   ${SERVICE_KIND_LABELS[a.serviceKind]}`);
  io.out(`  Fördelat till: ${distributionText(a)}`);
  io.out(`  Beslut:        ${a.decision.reference} (${a.decision.date})`);
  io.out(`  Period:        från ${a.startDate}${a.endDate ? ` till ${a.endDate}` : ''}`);
  for (const s of a.services) io.out(`  Insats:        ${s.code ? `[${s.code}] ` : ''}${s.name}, ${hours(s)}`);
  if (a.freeText) io.out(`  Fritext:       ${a.freeText}`);
  io.out(`  Kvitterad:     ${a.confirmedAt ? when(a.confirmedAt) : 'nej'}`);
  io.out(`  Verkställd:    ${a.executionDate ?? 'nej'}`);
  for (const p of a.pauses) io.out(`  Avbrott:       ${p.from}–${p.to ?? 'pågår'} (${p.reason})`);
  for (const r of a.registrations) io.out(`  ${r.kind === 'absence' ? 'Frånvaro:' : 'Närvaro: '}      ${r.from}–${r.to}`);
  if (a.cancellation) {
    io.out(`  Avbeställd:     ${when(a.cancellation.requestedAt)} (${a.cancellation.reason}); ${a.cancellation.confirmedAt ? `bekräftad ${when(a.cancellation.confirmedAt)}` : 'ej bekräftad av utföraren'}`);
  }
  io.out('  Historik:');
  for (const e of a.history) {
    const extra = historyDetail(e.action, e.details, a);
    io.out(`    ${when(e.at)}  ${HISTORY_ACTION_LABELS[e.action]}${extra ? ` – ${extra}` : ''}  (${e.actor.name}, ${e.actor.title})`);
  }
}

/** Who the provider distributed it to: the unit, and the named staff with their titles. */
export function distributionText(a: AssignmentSummary): string {
  const to = a.distributedTo;
  if (!to) return 'inte fördelat';
  const people = (to.staff ?? []).map((p) => `${p.name} (${p.title})`);
  return `${to.unitName || to.unitId}${people.length ? ` – ${people.join(', ')}` : ' (ingen namngiven personal)'}`;
}

function historyDetail(action: string, d: Record<string, unknown>, a: Assignment): string {
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (action) {
    case 'distribute': {
      const staff = Array.isArray(d.staffIds) ? d.staffIds.length : 0;
      const unit = a.distributedTo?.unitId === s('unitId') ? a.distributedTo?.unitName : undefined;
      return `${unit ?? 'enhet ' + (s('unitId') ?? '').slice(0, 8)}, ${staff === 0 ? 'ingen namngiven personal' : `${staff} namngiven personal`}`;
    }
    case 'execute':
      return s('previousExecutionDate') ? `${s('executionDate')} (tidigare ${s('previousExecutionDate')})` : (s('executionDate') ?? '');
    case 'report':
      return `"${s('message') ?? ''}"`;
    case 'pause':
      return `från ${s('from')}: ${s('reason')}`;
    case 'resume':
      return `${s('to')}`;
    case 'cancel':
      return s('reason') ?? '';
    case 'end':
      return `${s('endDate')}${s('reason') ? `: ${s('reason')}` : ''}`;
    case 'register_absence':
    case 'register_presence':
      return `${s('from')}–${s('to')}`;
    case 'change':
      return Object.keys((d.changed as Record<string, unknown>) ?? {}).join(', ');
    default:
      return '';
  }
}

export function table(head: string[], rows: string[][], io: Out): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  io.out(line(head));
  io.out(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) io.out(line(r));
}

const LOGIN_ERROR_TEXT: Record<string, string> = {
  UNAUTHENTICATED: 'Inte inloggad, eller sessionen har gått ut.',
  FORBIDDEN: 'Åtkomst nekad: kortet tillhör ingen biståndshandläggare.',
  NONCE_INVALID: 'Inloggningen misslyckades: utmaningen är ogiltig eller för gammal.',
  SIGNATURE_INVALID: 'Inloggningen misslyckades: signaturen godtogs inte (fel --origin?).',
  CERT_UNTRUSTED: 'Inloggningen misslyckades: servern litar inte på kortets certifikat.',
  CERT_EXPIRED: 'Inloggningen misslyckades: kortets certifikat har gått ut.',
  UNKNOWN_CARD_HOLDER: 'Inloggningen misslyckades: kortinnehavaren är okänd för servern.',
};

/** A failure from the server (or on the way to it) as the line the officer reads. */
export function failureText(e: AppFailure, server: string, during: 'login' | 'call'): string {
  if (e.code === 'SERVER_UNREACHABLE') return unreachableText(server);
  // A server without trust anchors answers every login 503 SERVER_ERROR.
  if (e.code === 'SERVER_ERROR' && during === 'login') return `Fel (${e.code}): Servern har inte inloggning påslagen.`;
  // Refusals of the assignment API carry a Swedish message for the user; login messages are for logs.
  // A call's FORBIDDEN says why (a plan read without the client's consent); at login it is the card's role.
  const own = ['CONFLICT', 'VALIDATION', 'NOT_FOUND', ...(during === 'call' ? ['FORBIDDEN'] : [])];
  // The server's envelope for a request that failed its schema says so in English; the officer reads Swedish.
  const message = own.includes(e.code) ? (e.code === 'VALIDATION' && e.message === 'Invalid request' ? 'Ogiltiga uppgifter.' : e.message) : (LOGIN_ERROR_TEXT[e.code] ?? e.message);
  const issues = (e.details?.issues as { path: string; message: string }[] | undefined) ?? [];
  return `Fel (${e.code}): ${message}${issues.length ? `\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` : ''}`;
}

/** The server did not answer (not started, wrong address, network): what to check, in Swedish. */
export const unreachableText = (server: string): string =>
  `Kan inte nå servern ${server}. Kontrollera att servern är igång (npm start eller npm run server) och att adressen stämmer (--server).`;

/**
 * Input checked here before it is sent, so the officer reads each wrong field on its own line
 * (zod's Swedish messages: the contract sets the locale, contract/index.ts).
 */
export function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // The first problem of each field is enough (a malformed date also fails the year range).
  const first = new Map<string, string>();
  for (const i of result.error.issues) if (!first.has(i.path.join('.'))) first.set(i.path.join('.'), i.message);
  const lines = [...first].map(([field, message]) => `  ${field || '(uppgifterna)'}: ${message}`);
  throw new CliError(`Fel (VALIDATION): Ogiltiga uppgifter.\n${lines.join('\n')}`);
}
