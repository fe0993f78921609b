import { webcrypto } from 'node:crypto';
import { authValue, hashOf, type SignatureAlgorithm } from '#contract';
import type * as x509 from './x509';

const subtle = webcrypto.subtle;

type KeyAlg = { name: string; namedCurve?: string };

/**
 * Verifies the card's signature over signedData(origin, nonce) with the certificate's key:
 * RS256/RS384 (RSASSA-PKCS1-v1_5), PS256 (RSA-PSS, salt 32), ES256/ES384 (ECDSA on P-256/P-384,
 * signature as raw r‖s — IEEE P1363 — which is what a card returns; not DER). RSA keys must be
 * ≥ 2048 bits. Any mismatch between algorithm and key is simply an invalid signature.
 */
export async function verifyLoginSignature(
  certificate: x509.X509Certificate,
  algorithm: SignatureAlgorithm,
  signature: Uint8Array,
  origin: string,
  nonce: string,
): Promise<boolean> {
  const hash = hashOf(algorithm);
  const spki = new Uint8Array(certificate.publicKey.rawData);
  let importAlg: RsaHashedImportParams | EcKeyImportParams;
  let verifyAlg: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  switch (algorithm) {
    case 'RS256':
    case 'RS384':
      importAlg = { name: 'RSASSA-PKCS1-v1_5', hash };
      verifyAlg = { name: 'RSASSA-PKCS1-v1_5' };
      break;
    case 'PS256':
      importAlg = { name: 'RSA-PSS', hash };
      verifyAlg = { name: 'RSA-PSS', saltLength: 32 };
      break;
    case 'ES256':
    case 'ES384': {
      const namedCurve = algorithm === 'ES256' ? 'P-256' : 'P-384';
      if ((certificate.publicKey.algorithm as KeyAlg).namedCurve !== namedCurve) return false;
      if (signature.length !== (algorithm === 'ES256' ? 64 : 96)) return false;
      importAlg = { name: 'ECDSA', namedCurve };
      verifyAlg = { name: 'ECDSA', hash };
      break;
    }
    default:
      return false;
  }
  try {
    const key = await subtle.importKey('spki', spki, importAlg, false, ['verify']);
    if (importAlg.name !== 'ECDSA' && ((key.algorithm as RsaHashedKeyAlgorithm).modulusLength ?? 0) < 2048) return false;
    return await subtle.verify(verifyAlg, key, signature, await authValue(origin, nonce, hash));
  } catch {
    return false;
  }
}
