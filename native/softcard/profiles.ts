import type { Behaviour, CardKey } from './card-file';

/**
 * The card-behaviour matrix: named software-card profiles, each modelled on a family of cards
 * found in the field (docs/smart-card.md says which ISO 7816 rule each one exercises). Every
 * profile logs in through real pcscd + vpcd and is read by OpenSC in the integration suite, so a
 * reader change that only works on the well-behaved card fails there.
 */
export interface SoftCardProfile {
  /** What the profile models, for test names and the docs. */
  description: string;
  /** ATR the card answers with; it names the transmission protocol(s) (TD1: T=1; none: T=0 only). */
  atrHex: string;
  behaviour: Partial<Behaviour>;
  /** The key algorithms the matrix runs it with (default RSA-2048 and EC-P256). */
  algorithms?: CardKey['algorithm'][];
}

/** T=1 (TD1 = 81, TD2 = 31), as the SITHS cards of the last decade. */
export const ATR_T1 = '3BFF9600008131FE4380318065B0846566FB12017882900085';
/** T=0 only (no TD1): TS 3B, T0 6D (TB1, TC1, 13 historical bytes). */
export const ATR_T0 = '3B6D000080318065B0840201F283009000';

export const CARD_PROFILES = {
  't1-standard': { description: 'T=1, READ BINARY up to 0x100, FCP with file sizes, PIN padded with FF to 12', atrHex: ATR_T1, behaviour: {} },
  't0-get-response': {
    description: 'T=0: data only through GET RESPONSE after 61xx, 6Cxx whenever Le is wrong (at any offset), reads capped at 0xFF',
    atrHex: ATR_T0,
    behaviour: { useGetResponse: true, exactLe: true, maxReadBinary: 0xff },
  },
  'read-0x80-short-only': {
    description: 'READ BINARY answers at most 0x80 bytes (9000), no extended-length APDUs',
    atrHex: ATR_T1,
    behaviour: { maxReadBinary: 0x80, extendedLength: false },
  },
  'read-0xdf-no-fcp-size': {
    description: 'READ BINARY capped at 0xDF, FCP without file size for the DFs and certificates (read to the DER end / 6282)',
    atrHex: ATR_T1,
    behaviour: { maxReadBinary: 0xdf, fcpFileSize: false },
  },
  'read-0xe7-pin-00-8': {
    description: 'READ BINARY capped at 0xE7, PIN padded with 00 to 8 bytes',
    atrHex: ATR_T1,
    behaviour: { maxReadBinary: 0xe7, pinPadding: { char: 0x00, length: 8 } },
  },
  'pin-unpadded': { description: 'PIN sent as typed (no needsPadding flag), reads capped at 0x100', atrHex: ATR_T1, behaviour: { pinPadding: null } },
  'pin-ff-8': { description: 'PIN padded with FF to 8 bytes', atrHex: ATR_T1, behaviour: { pinPadding: { char: 0xff, length: 8 } } },
  'mse-alg-ref': {
    description: 'the signing key needs MSE SET with its own algorithm reference (PrKDF algReference)',
    atrHex: ATR_T1,
    behaviour: { keyAlgReference: 0x12 },
  },
  'slow-400ms': { description: 'a slow card: a signature takes 400 ms', atrHex: ATR_T1, behaviour: { signDelayMs: 400 } },
  'minimal-6a82': { description: 'no EF.DIR, EF.ATR or PuKDF: 6A82 for the files it does not have', atrHex: ATR_T1, behaviour: { minimalFiles: true } },
  'efdir-other-aid': {
    description: 'the PKCS#15 application under another legal AID (D752000001504B43533135), found only through EF.DIR',
    atrHex: ATR_T1,
    behaviour: { applicationAid: 'D752000001504B43533135' },
  },
  'rsa3072-short-only': {
    description: 'RSA-3072 keys (as IDPrime 940), no extended length: the 384-byte signature comes as 256 bytes + GET RESPONSE',
    atrHex: ATR_T1,
    behaviour: { extendedLength: false },
    algorithms: ['RSA-3072'],
  },
  'rsa4096-short-only': {
    description: 'RSA-4096 keys, no extended length, reads capped at 0x80: a 512-byte signature through GET RESPONSE',
    atrHex: ATR_T1,
    behaviour: { extendedLength: false, maxReadBinary: 0x80 },
    algorithms: ['RSA-4096'],
  },
  'p384-short-only': {
    description: 'ECC P-384 keys, no extended length',
    atrHex: ATR_T1,
    behaviour: { extendedLength: false },
    algorithms: ['EC-P384'],
  },
  'piv-applet': {
    description:
      'a PIV applet (NIST SP 800-73-4) beside the PKCS#15 application, same keys and PIN (FF-padded to 8): OpenSC signs through its PIV driver, our reader through PKCS#15',
    atrHex: ATR_T1,
    behaviour: { pivApplet: true, pinPadding: { char: 0xff, length: 8 } },
    algorithms: ['RSA-2048', 'EC-P384'],
  },
} satisfies Record<string, SoftCardProfile>;

export type CardProfileName = keyof typeof CARD_PROFILES;
export const CARD_PROFILE_NAMES = Object.keys(CARD_PROFILES) as CardProfileName[];
