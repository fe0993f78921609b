import type { AuthMethod, ErrorCode, Loa } from '#contract';

/**
 * The access log's interface (docs/access-log.md): every login attempt, and every read, copy
 * (clipboard, print), export and change of personal data. The SQL implementation is
 * server/audit/access-log.ts (table access_log, append-only, hash-chained).
 *
 * Never logged: the signature, the nonce, a PIN, a token, a certificate, a personnummer, note text.
 * The HSA-ID only once the certificate chain has been validated (before that it is just a claim).
 */
export type AccessAction = 'login' | 'login_failed' | 'session_renewed' | 'logout' | 'read' | 'copy' | 'export' | 'change';
export type AccessOutcome = 'success' | 'failure';

export interface AccessEvent {
  action: AccessAction;
  outcome: AccessOutcome;
  errorCode?: ErrorCode;
  /** staff.id of the actor, once known. */
  actorStaffId?: string;
  /** HSA-ID of the actor, once validated. */
  actorHsaId?: string;
  /** The client (brukare) whose data was read, copied, exported or changed: clients.id, never a personnummer. */
  clientId?: string;
  /** What kind of record, e.g. `journal_entry`, `day_note`, `implementation_plan` (lower_snake_case). */
  recordType?: string;
  /** The record's id (a UUID or similar opaque id). */
  recordId?: string;
  /** Workstation label (no personal data). */
  workstation?: string;
  /** SHA-256 (hex) of the presented certificate: ties failed attempts together without personal data. */
  certSha256?: string;
  /** How the session was (or was to be) opened: on auth rows. */
  authMethod?: AuthMethod;
  /** The session's assurance level: on auth rows. */
  loa?: Loa;
  /** When it happened; default now (stored to the millisecond). */
  at?: Date;
}

/** What the login writes: the auth actions, always with a time. */
export interface AuthEvent extends AccessEvent {
  action: 'login' | 'login_failed' | 'session_renewed' | 'logout';
  at: Date;
}

export interface AccessLog {
  /** Resolves once the event is durably recorded; rejects otherwise (the caller must then not proceed). */
  record(event: AccessEvent): Promise<void>;
}

export class InMemoryAccessLog implements AccessLog {
  readonly events: AccessEvent[] = [];
  async record(event: AccessEvent) {
    this.events.push(event);
  }
}
