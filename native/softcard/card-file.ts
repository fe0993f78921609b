import { z } from 'zod';

/**
 * A software card's file: everything a PKCS#15 (ISO/IEC 7816-15) software card needs to behave
 * like a SITHS / eTjänstekort card. Written by `npm run card -- issue`, read by the software card
 * (vpcd or in-process). The retry counters are the card's real state and are written back.
 *
 * This is test and demo material: the keys are in the clear. Never issue a card file for a real
 * person, and only a test or demo CA ever signs the certificates in one.
 */
export const CARD_FILE_FORMAT = 'omsorg-softcard/1';

const Digits = (min: number, max: number) =>
  z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `${min}–${max} siffror`);

const Counter = z.object({
  value: z.string(),
  triesLeft: z.number().int().min(0).max(15),
  maxTries: z.number().int().min(1).max(15),
});

export const CardKey = z.object({
  algorithm: z.enum(['RSA-2048', 'RSA-3072', 'RSA-4096', 'EC-P256', 'EC-P384']),
  /** PKCS#8 PEM private key. */
  privateKeyPem: z.string().includes('PRIVATE KEY'),
  /** Leaf first, then the issuing CA(s); the root may be left out. PEM each. */
  certificateChainPem: z.array(z.string().includes('CERTIFICATE')).min(1),
});
export type CardKey = z.infer<typeof CardKey>;

/**
 * How the software card behaves, knob by knob: the card families found in the field (documented
 * in docs/smart-card.md, named in ./profiles.ts). Every knob defaults to the well-behaved T=1 card.
 */
export const Behaviour = z.object({
  /** T=0: every answer with data is held back and announced with 61xx (fetched by GET RESPONSE). */
  useGetResponse: z.boolean().default(false),
  /** Answer the first READ BINARY after power-up by 6Cxx, so the reader must resend with that Le. */
  wrongLeFirst: z.boolean().default(false),
  /** T=0 style: answer every READ BINARY whose Le is not exactly what it will return with 6Cxx, at any offset. */
  exactLe: z.boolean().default(false),
  /** The most bytes one READ BINARY returns (cards cap at 0x80, 0xDF, 0xE7, 0xFF or 0x100), answered with 9000. */
  maxReadBinary: z.number().int().min(1).max(256).default(256),
  /** False: extended-length APDUs are refused with 6700 (short APDUs only). */
  extendedLength: z.boolean().default(true),
  /** How the PIN is padded before VERIFY (the AODF says so with needsPadding + padChar + storedLength); null = not padded. */
  pinPadding: z
    .object({ char: z.number().int().min(0).max(255), length: z.number().int().min(4).max(12) })
    .nullable()
    .default({ char: 0xff, length: 12 }),
  /**
   * False: SELECT's FCP carries no file size (tag 80) for the directory files and certificates, so a reader
   * reads to the DER end or to 6282/6B00 (EF.ODF and EF.TokenInfo keep theirs: OpenSC needs the ODF's).
   */
  fcpFileSize: z.boolean().default(true),
  /**
   * The authentication key needs MSE SET with this algorithm reference instead of the usual one
   * (02 RSA, 04 ECDSA); the PrKDF names it in CommonKeyAttributes.algReference.
   */
  keyAlgReference: z.number().int().min(1).max(255).optional(),
  /** Delay before answering PSO COMPUTE DIGITAL SIGNATURE, ms (slow cards; removal during signing). */
  signDelayMs: z.number().int().min(0).max(60_000).default(0),
  /** No EF.DIR, EF.ATR and PuKDF: SELECT answers 6A82 for them, as for any file the card does not have. */
  minimalFiles: z.boolean().default(false),
  /**
   * The PKCS#15 application's AID (hex, 5–16 bytes) when not the standard A000000063504B43532D3135:
   * ISO/IEC 7816-15 allows any, and EF.DIR names it.
   */
  applicationAid: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}){5,16}$/)
    .optional(),
  /**
   * A PIV applet (NIST SP 800-73-4) beside the PKCS#15 application, with the same keys and PIN
   * counter (PIN reference 80, FF-padded to 8): a card OpenSC's PIV driver signs with (./piv-applet.ts).
   */
  pivApplet: z.boolean().default(false),
});
export type Behaviour = z.infer<typeof Behaviour>;
export const DEFAULT_BEHAVIOUR: Behaviour = Behaviour.parse({});

export const CardFile = z.object({
  format: z.literal(CARD_FILE_FORMAT),
  /** Shown by the reader UI, e.g. "Anna Andersson (demo)". */
  label: z.string().min(1).max(100),
  holder: z.object({ hsaId: z.string(), name: z.string() }),
  /** ATR the software card answers with, hex; the card profile is chosen by it. */
  atrHex: z.string().regex(/^([0-9A-Fa-f]{2}){2,33}$/),
  /** Authentication key (key usage digitalSignature) — used for login. */
  auth: CardKey,
  /** Signature key (nonRepudiation) — present on real SITHS cards; must never be used for login. */
  sign: CardKey.optional(),
  pin: Counter.extend({ value: Digits(4, 12) }),
  puk: Counter.extend({ value: Digits(6, 12) }),
  /** Test knobs to make the card behave like particular real cards (named profiles: ./profiles.ts). */
  behaviour: Behaviour.default(DEFAULT_BEHAVIOUR),
});
export type CardFile = z.infer<typeof CardFile>;
