import { webcrypto } from 'node:crypto';
import * as x509 from '../../server/auth/x509';

export const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/** Key algorithms a test card or CA can hold (the card file's names). */
export type KeyAlgorithm = 'RSA-2048' | 'EC-P256' | 'EC-P384';

export function keyParams(algorithm: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  return algorithm === 'RSA-2048'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: algorithm === 'EC-P384' ? 'P-384' : 'P-256' };
}

/** Signature algorithm a key of this type signs certificates with. */
export function signingAlgorithm(algorithm: KeyAlgorithm): Algorithm | EcdsaParams {
  return algorithm === 'RSA-2048' ? { name: 'RSASSA-PKCS1-v1_5' } : ({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams);
}

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyParams(algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function privateKeyFromPem(pem: string, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return subtle.importKey('pkcs8', der, keyParams(algorithm), true, ['sign']);
}

/** The key algorithm of a certificate's public key (only those we issue). */
export function keyAlgorithmOf(cert: x509.X509Certificate): KeyAlgorithm {
  const alg = cert.publicKey.algorithm as Algorithm & { namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' || alg.name === 'ECDH') {
    if (alg.namedCurve === 'P-384') return 'EC-P384';
    if (alg.namedCurve !== 'P-256') throw new Error(`Unsupported curve ${alg.namedCurve}`);
    return 'EC-P256';
  }
  if (alg.name.startsWith('RSA')) return 'RSA-2048';
  throw new Error(`Unsupported key algorithm ${alg.name}`);
}
