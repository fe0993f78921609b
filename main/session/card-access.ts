import { CardService, PcscReaders, type CardMonitor, type CardReaders, type HashAlgorithm, type SignResult } from '../../native';
import { DemoInProcessReader, openCardFile } from '../../native/softcard';

/**
 * What the session needs from the card stack (native/): watch readers, read the PIN counter,
 * sign. Backed by real PC/SC (real cards, or the software card in the vpcd reader) or, for a demo
 * on a machine without pcscd/vpcd, by the in-process software card (DEMO ONLY).
 */
export interface CardAccess {
  readonly monitor: CardMonitor;
  pinStatus(reader: string): Promise<{ triesLeft?: number; blocked: boolean }>;
  /** VERIFY + sign with the authentication key; the card is reset afterwards and `pin` wiped. */
  sign(reader: string, pin: Uint8Array, hash: Uint8Array, hashAlg: HashAlgorithm): Promise<SignResult>;
  close(): Promise<void>;
}

export type CardStackOption = { kind: 'pcsc' } | { kind: 'demo'; cardFile: string };

export async function openCardAccess(option: CardStackOption): Promise<CardAccess> {
  if (option.kind === 'pcsc') return cardAccessOver(new PcscReaders());
  const reader = new DemoInProcessReader();
  reader.insert(await openCardFile(option.cardFile));
  return cardAccessOver(reader);
}

/** The session's view of a reader stack, through native's CardService (profiles, PIN rules). */
export function cardAccessOver(readers: CardReaders): CardAccess {
  const service = new CardService(readers);
  return {
    monitor: readers.monitor,
    pinStatus: (reader) => service.getPinStatus(reader),
    sign: (reader, pin, hash, alg) => service.sign(reader, pin, hash, alg),
    close: () => service.close(),
  };
}
