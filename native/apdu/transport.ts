/**
 * What the APDU layer needs from below: send one command APDU, get the response APDU
 * (data + SW1 SW2). Implemented by the PC/SC transport and by the demo in-process software card;
 * the APDU layer knows nothing of pcsclite.
 */
export interface CardTransport {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

/** The largest response APDU any transport hands up: extended Le (65536) + SW1 SW2. */
export const MAX_RESPONSE_APDU = 65536 + 2;
