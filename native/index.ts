/**
 * native/: the smart-card stack. The workstation uses `CardService` over a reader stack:
 * `new CardService(new PcscReaders())` for PC/SC (real cards, or the software card in vpcd), or
 * over `DemoInProcessReader` (DEMO ONLY) where there is no pcscd.
 */
export { CardService } from './card-service';
export type { DigestsByHash, HashAlgorithm, SignResult, SignatureAlgorithm, PinStatus } from './card-service';
export type { CardEvent, CardEventListener, CardMonitor, CardReaders, ReaderInfo, WithCardOptions, ConnectedCard } from './readers';
export { PcscReaders, type PcscReadersOptions } from './pcsc/pcsc-readers';
export { HostedReaders, type HostedReadersOptions } from './pcsc/host/hosted-readers';
export { ProfileRegistry, type CardProfile, type ProfileEntry } from './profiles/profile';
export { Pkcs15Profile, pkcs15Entry } from './profiles/pkcs15';
export { PIN_BLOCKED_MESSAGE, PIN_BOUNDS } from './pin';
