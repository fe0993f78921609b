import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords hashed with scrypt (memory-hard: RFC 7914), Node's built-in, no native addon. Stored
 * as `scrypt$N$r$p$salt$hash` (base64url), so stronger parameters later still verify old hashes.
 * N = 2^15, r = 8: 32 MiB and about a tenth of a second per guess on one core, which makes a stolen
 * table expensive to attack offline; a 16-byte random salt per password.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, options, (e, key) => (e ? reject(e) : resolve(key))));

const optionsOf = (N: number, r: number, p: number): ScryptOptions => ({ N, r, p, maxmem: 256 * N * r + 1024 * 1024 });

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, optionsOf(N, r, p));
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` is the one `stored` was made from; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Only parameters we would make ourselves: a planted row cannot make the server spend a gigabyte.
  if (N > 2 ** 17 || r > 16 || p > 4) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64url'), expected.length, optionsOf(N, r, p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of no password anyone has: verified against when the username is unknown, so an unknown
 * and a known username cost the same time (no account enumeration by timing).
 */
let dummy: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(24).toString('base64url')));

/** The administrator's rule for a new password: 12–128 characters, not only one kind of character. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'Lösenordet måste ha minst 12 tecken.';
  if (password.length > 128) return 'Lösenordet får ha högst 128 tecken.';
  if (/^(.)\1*$/.test(password)) return 'Lösenordet får inte bestå av ett enda tecken upprepat.';
  return undefined;
}
