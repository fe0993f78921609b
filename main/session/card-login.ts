import { LOGIN_TOKEN_FORMAT, authRoutes, signedData, type LoginRequest } from '#contract';
import type { SignResult } from '../../native';
import type { ServerClient } from '../server-client';

/**
 * The card login token (the Web eID token design, docs/login.md): the server's single-use
 * challenge, signed by the card over hash(hash(origin) ‖ hash(nonce)). `sign` gets that digest
 * (SHA-256) and answers the card's signature and certificate; it is where the PIN is used.
 */
export async function signedLoginRequest(
  server: ServerClient,
  sign: (digest: Uint8Array) => Promise<SignResult>,
  opts: { origin?: string; workstation?: string } = {},
): Promise<LoginRequest> {
  const origin = opts.origin ?? server.origin;
  const { nonce } = await server.call(authRoutes.challenge);
  const signed = await sign(await signedData(origin, nonce, 'SHA-256'));
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
