import { LOGIN_TOKEN_FORMAT, authRoutes, signedData, type LoginRequest } from '#contract';
import type { DigestsByHash, SignResult } from '../../native';
import type { ServerClient } from '../server-client';

/**
 * The card login token (the Web eID token design, docs/login.md): the server's single-use
 * challenge, signed by the card over hash(hash(origin) ‖ hash(nonce)). `sign` gets that digest
 * with SHA-256 and with SHA-384 — the card's key chooses: SHA-384 for ECC P-384 (ES384), SHA-256
 * otherwise, the pairs the server verifies — and answers the card's signature, its algorithm and
 * certificate; it is where the PIN is used.
 */
export async function signedLoginRequest(
  server: ServerClient,
  sign: (digests: DigestsByHash) => Promise<SignResult>,
  opts: { origin?: string; workstation?: string } = {},
): Promise<LoginRequest> {
  const origin = opts.origin ?? server.origin;
  const { nonce } = await server.call(authRoutes.challenge);
  const [sha256, sha384] = await Promise.all([signedData(origin, nonce, 'SHA-256'), signedData(origin, nonce, 'SHA-384')]);
  const signed = await sign({ 'SHA-256': sha256, 'SHA-384': sha384 });
  return {
    format: LOGIN_TOKEN_FORMAT,
    nonce,
    origin,
    certificate: Buffer.from(signed.certificateDer).toString('base64'),
    algorithm: signed.algorithm,
    signature: Buffer.from(signed.signature).toString('base64'),
    ...(opts.workstation ? { workstation: opts.workstation } : {}),
  };
}
