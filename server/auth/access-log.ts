import type { ErrorCode } from '../../contract/result';

/**
 * What the login writes to the access log: every attempt, success or each distinct failure.
 * Never the signature, the nonce, a PIN or a personnummer; the HSA-ID only once the certificate
 * chain has been validated (before that it is just a claim).
 */
export interface AuthEvent {
  action: 'login' | 'login_failed' | 'session_renewed' | 'logout';
  outcome: 'success' | 'failure';
  errorCode?: ErrorCode;
  actorHsaId?: string;
  staffId?: string;
  /** SHA-256 (hex) of the presented certificate: ties failed attempts together without personal data. */
  certSha256?: string;
  workstation?: string;
  at: Date;
}

export interface AccessLog {
  record(event: AuthEvent): Promise<void>;
}

export class InMemoryAccessLog implements AccessLog {
  readonly events: AuthEvent[] = [];
  async record(event: AuthEvent) {
    this.events.push(event);
  }
}
