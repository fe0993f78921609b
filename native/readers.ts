import type { AppError } from '#contract';
import type { CardTransport } from './apdu/transport';

/**
 * What the card service needs from a reader stack: the PC/SC stack (native/pcsc) in production
 * and tests, or the DEMO ONLY in-process software card (native/softcard/in-process) where no
 * pcscd/vpcd exists. Nothing here knows sessions or UI.
 */
export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  /** ATR of the card in the reader, hex, when present. */
  atrHex?: string;
}

export interface WithCardOptions {
  /** 'exclusive' for PIN + signing (no other application between VERIFY and PSO); 'shared' for reading. */
  share?: 'shared' | 'exclusive';
  /** 'reset' after PIN use so the card does not stay verified; 'leave' after plain reads. */
  disposition?: 'leave' | 'reset';
}

export interface ConnectedCard {
  reader: string;
  atr?: Uint8Array;
  transport: CardTransport;
}

export type CardEvent =
  | { type: 'reader-added'; reader: string }
  | { type: 'reader-removed'; reader: string }
  | { type: 'card-inserted'; reader: string; atrHex: string }
  | { type: 'card-removed'; reader: string }
  /** The PC/SC service went away (pcscd stopped); readers and cards are gone until `available`. */
  | { type: 'unavailable'; error: AppError }
  | { type: 'available' };

export type CardEventListener = (event: CardEvent) => void;

export interface CardMonitor {
  /** Current readers and cards, as last reported. */
  readers(): ReaderInfo[];
  /** Events from now on; returns the unsubscribe function. */
  subscribe(listener: CardEventListener): () => void;
}

export interface CardReaders {
  listReaders(): Promise<ReaderInfo[]>;
  /** Connects for one operation only and always disconnects (leave or reset) afterwards. */
  withCard<T>(reader: string, fn: (card: ConnectedCard) => Promise<T>, opts?: WithCardOptions): Promise<T>;
  readonly monitor: CardMonitor;
  close(): Promise<void>;
}
