import { randomBytes } from 'node:crypto';

/**
 * ECDSA P-256 over a hash the caller already computed — what a card's PSO COMPUTE DIGITAL
 * SIGNATURE does and node:crypto cannot (it always hashes the input). Plain BigInt arithmetic in
 * Jacobian coordinates; not constant-time, which is fine for a software TEST card and nothing
 * else. Returns raw r‖s (32 + 32 bytes).
 */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Point = [
  0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  1n,
];

type Point = [bigint, bigint, bigint]; // Jacobian X, Y, Z; Z = 0 is the point at infinity

const mod = (a: bigint, m = P): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function powmod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = mod(b, m);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
}

const inv = (a: bigint, m: bigint): bigint => powmod(a, m - 2n, m);

function double([X, Y, Z]: Point): Point {
  if (Z === 0n || Y === 0n) return [0n, 1n, 0n];
  const delta = mod(Z * Z);
  const gamma = mod(Y * Y);
  const beta = mod(X * gamma);
  const alpha = mod(3n * (X - delta) * (X + delta));
  const X3 = mod(alpha * alpha - 8n * beta);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta);
  const Y3 = mod(alpha * (4n * beta - X3) - 8n * gamma * gamma);
  return [X3, Y3, Z3];
}

function add(p: Point, q: Point): Point {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  const [X1, Y1, Z1] = p;
  const [X2, Y2, Z2] = q;
  const Z1Z1 = mod(Z1 * Z1);
  const Z2Z2 = mod(Z2 * Z2);
  const U1 = mod(X1 * Z2Z2);
  const U2 = mod(X2 * Z1Z1);
  const S1 = mod(Y1 * Z2 * Z2Z2);
  const S2 = mod(Y2 * Z1 * Z1Z1);
  if (U1 === U2) return S1 === S2 ? double(p) : [0n, 1n, 0n];
  const H = mod(U2 - U1);
  const I = mod(4n * H * H);
  const J = mod(H * I);
  const r = mod(2n * (S2 - S1));
  const V = mod(U1 * I);
  const X3 = mod(r * r - J - 2n * V);
  const Y3 = mod(r * (V - X3) - 2n * S1 * J);
  const Z3 = mod(((Z1 + Z2) * (Z1 + Z2) - Z1Z1 - Z2Z2) * H);
  return [X3, Y3, Z3];
}

function multiply(k: bigint, p: Point): Point {
  let r: Point = [0n, 1n, 0n];
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    r = double(r);
    if ((k >> i) & 1n) r = add(r, p);
  }
  return r;
}

const toBig = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
const toBytes = (n: bigint, len: number): Buffer => Buffer.from(n.toString(16).padStart(len * 2, '0'), 'hex');

/** `d` is the private scalar (32 bytes, e.g. the JWK `d`); `hash` any length (truncated to 256 bits). */
export function signP256Prehashed(d: Uint8Array, hash: Uint8Array): Uint8Array {
  const priv = toBig(d);
  if (priv <= 0n || priv >= N) throw new Error('bad P-256 private key');
  const e = toBig(hash.length > 32 ? hash.subarray(0, 32) : hash);
  for (;;) {
    const k = toBig(randomBytes(40)) % N;
    if (k === 0n) continue;
    const [X, , Z] = multiply(k, G);
    const zi = inv(Z, P);
    const x = mod(X * zi * zi);
    const r = mod(x, N);
    if (r === 0n) continue;
    const s = mod(inv(k, N) * (e + r * priv), N);
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, 32), toBytes(s, 32)]);
  }
}
