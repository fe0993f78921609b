/**
 * Status words (ISO/IEC 7816-4 §5.6). The APDU session accepts only the status words a caller
 * names (the allow-list below); every other one becomes CARD_ERROR with the word in hex.
 * 61xx and 6Cxx never reach callers: the session answers them (GET RESPONSE, resend with Le).
 */
export const SW = {
  OK: 0x9000,
  /** End of file reached before reading Le bytes (READ BINARY). */
  END_OF_FILE: 0x6282,
  /** Verification failed, x tries left (VERIFY); 63C0 = the last try was used. */
  PIN_TRIES_MASK: 0x63c0,
  /** Security status not satisfied (e.g. PSO without a verified PIN). */
  SECURITY_STATUS: 0x6982,
  /** Authentication method blocked (PIN or PUK retry counter at 0). */
  BLOCKED: 0x6983,
  /** Reference data not usable (some cards use this for a blocked PIN). */
  REF_DATA_NOT_USABLE: 0x6984,
  /** File or application not found (SELECT). */
  FILE_NOT_FOUND: 0x6a82,
  /** Wrong parameters P1-P2: offset beyond the end of the file (READ BINARY). */
  WRONG_P1P2: 0x6b00,
} as const;

/** One entry of an allow-list: an exact status word or a test (e.g. 63Cx). */
export type SwRule = number | ((sw: number) => boolean);

export const isPinTries = (sw: number): boolean => (sw & 0xfff0) === SW.PIN_TRIES_MASK;

/** The allow-lists by command, in one place (documented in docs/smart-card.md). */
export const ALLOW = {
  plain: [SW.OK],
  select: [SW.OK, SW.FILE_NOT_FOUND],
  readBinary: [SW.OK, SW.END_OF_FILE, SW.WRONG_P1P2],
  verify: [SW.OK, isPinTries, SW.BLOCKED, SW.REF_DATA_NOT_USABLE],
  resetRetryCounter: [SW.OK, isPinTries, SW.BLOCKED],
  sign: [SW.OK, SW.SECURITY_STATUS],
} satisfies Record<string, SwRule[]>;

export const swHex = (sw: number): string => sw.toString(16).padStart(4, '0').toUpperCase();

export const allowed = (sw: number, rules: readonly SwRule[]): boolean =>
  rules.some((r) => (typeof r === 'number' ? r === sw : r(sw)));
