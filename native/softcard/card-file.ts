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
  algorithm: z.enum(['RSA-2048', 'EC-P256']),
  /** PKCS#8 PEM private key. */
  privateKeyPem: z.string().includes('PRIVATE KEY'),
  /** Leaf first, then the issuing CA(s); the root may be left out. PEM each. */
  certificateChainPem: z.array(z.string().includes('CERTIFICATE')).min(1),
});
export type CardKey = z.infer<typeof CardKey>;

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
  /** Test knobs to make the card behave like particular real cards. */
  behaviour: z
    .object({
      /** Answer long responses with 61xx so the reader must send GET RESPONSE (T=0 style). */
      useGetResponse: z.boolean().default(false),
      /** Answer a READ BINARY with Le=00 by 6Cxx once, so the reader must resend with the right Le. */
      wrongLeFirst: z.boolean().default(false),
      /** Delay before answering PSO COMPUTE DIGITAL SIGNATURE, ms (tests removal during signing). */
      signDelayMs: z.number().int().min(0).max(60_000).default(0),
    })
    .default({ useGetResponse: false, wrongLeFirst: false, signDelayMs: 0 }),
});
export type CardFile = z.infer<typeof CardFile>;
