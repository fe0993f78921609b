import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { reasonOf, type OcspChecker, type RevocationStatus } from './certificate';
import * as x509 from './x509';

/**
 * Revocation of the login certificate by OCSP (RFC 6960), built and parsed with pkijs — no
 * hand-written DER. The policy (docs/login.md, "Revocation"):
 * - Ask the configured responder (`url`), else the one in the certificate's AIA extension; a
 *   request carries a fresh nonce.
 * - An answer counts only when verified: signed by the issuing CA or by a responder the CA
 *   delegated (id-kp-OCSPSigning, issued by that CA; pkijs checks both), about this very
 *   certificate (CertID), fresh (thisUpdate not in the future, nextUpdate not passed, 5 min
 *   skew), and with our nonce echoed — or, from a responder that does not echo nonces
 *   (pre-produced answers), a thisUpdate no older than `maxAgeMs`.
 * - good → login goes on; revoked → CERT_REVOKED; unknown (the responder does not know the
 *   certificate) → CERT_REVOCATION_UNKNOWN. Both refusals are verified answers: never softened.
 * - No verified answer (unreachable, timeout, HTTP error, tryLater, bad signature, stale, wrong
 *   nonce): soft-fail only with a verified *good* answer for the same certificate no older than
 *   `graceMs` (its thisUpdate), kept in this process; otherwise the login is refused
 *   (CERT_REVOCATION_UNKNOWN: fail closed). A revoked answer is remembered and wins over the grace.
 */
export interface OcspClientOptions {
  /** The responder to ask instead of the certificate's AIA responder (OCSP_URL). */
  url?: string;
  /** Per request; default 3 s. */
  timeoutMs?: number;
  /** How old a cached verified good answer may be to stand in for an unreachable responder (OCSP_GRACE_MINUTES); default 4 h; 0 = never. */
  graceMs?: number;
  /** How old an answer without our nonce may be; default 1 h. */
  maxAgeMs?: number;
  fetch?: typeof fetch;
  /** Told when an unreachable responder was stood in for by a cached answer, or the login failed closed (no personal data). */
  log?: (obj: Record<string, unknown>, msg: string) => void;
}

const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const SKEW_MS = 5 * 60_000;
/** An OCSP answer is a few kilobytes; more is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Cached answers kept at most (one per card that logged in); the oldest go first. */
const MAX_CACHED = 50_000;

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });

export class OcspClient implements OcspChecker {
  readonly url: string | undefined;
  /** Certificate (sha256 of its DER) → thisUpdate of its last verified good answer (ms). */
  private readonly good = new Map<string, number>();
  private readonly revoked = new Set<string>();

  constructor(private readonly opts: OcspClientOptions = {}) {
    this.url = opts.url;
  }

  async check({ certificate, issuer, now, goodAt }: { certificate: x509.X509Certificate; issuer: x509.X509Certificate; now: Date; goodAt?: Date }): Promise<RevocationStatus> {
    const key = createHash('sha256').update(new Uint8Array(certificate.rawData)).digest('hex');
    if (this.revoked.has(key)) return 'revoked';
    let answer: { status: RevocationStatus; thisUpdate: Date };
    try {
      answer = await this.ask(certificate, issuer, now);
    } catch (e) {
      // This process's own last good answer, else the one the session was opened or last renewed with (any node's).
      const at = this.good.get(key) ?? goodAt?.getTime();
      const grace = this.opts.graceMs ?? 4 * 3600_000;
      if (at !== undefined && now.getTime() - at <= grace) {
        this.opts.log?.({ err: reasonOf(e), answerAgeMs: now.getTime() - at }, 'OCSP: no verified answer; a cached good answer within the grace stands in');
        return 'good';
      }
      this.opts.log?.({ err: reasonOf(e), certSha256: key }, 'OCSP: no verified answer and none within the grace; refused (fails closed)');
      throw e;
    }
    if (answer.status !== 'good') this.opts.log?.({ status: answer.status, certSha256: key }, `OCSP: the responder answered ${answer.status}; refused`);
    this.good.delete(key);
    if (answer.status === 'good') {
      this.good.set(key, Math.min(answer.thisUpdate.getTime(), now.getTime()));
      if (this.good.size > MAX_CACHED) this.good.delete(this.good.keys().next().value!);
    }
    if (answer.status === 'revoked') this.revoked.add(key);
    return answer.status;
  }

  /** The thisUpdate of this process's last verified good answer about `certificate` (not a stand-in). */
  lastVerifiedGood(certificate: x509.X509Certificate): Date | undefined {
    const at = this.good.get(createHash('sha256').update(new Uint8Array(certificate.rawData)).digest('hex'));
    return at === undefined ? undefined : new Date(at);
  }

  /** One verified answer from the responder, or a throw saying why there is none. */
  private async ask(certificate: x509.X509Certificate, issuer: x509.X509Certificate, now: Date): Promise<{ status: RevocationStatus; thisUpdate: Date }> {
    const url = this.opts.url ?? responderOf(certificate);
    if (!url) throw new Error('No OCSP responder: none configured and none in the certificate (AIA)');
    const leaf = pkijs.Certificate.fromBER(new Uint8Array(certificate.rawData));
    const ca = pkijs.Certificate.fromBER(new Uint8Array(issuer.rawData));

    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(leaf, { hashAlgorithm: 'SHA-1', issuerCertificate: ca }, engine);
    const nonce = new asn1js.OctetString({ valueHex: webcrypto.getRandomValues(new Uint8Array(16)) }).toBER();
    request.tbsRequest.requestExtensions = [new pkijs.Extension({ extnID: OCSP_NONCE, extnValue: nonce })];
    const certId = request.tbsRequest.requestList[0]!.reqCert;

    const res = await (this.opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
      body: new Uint8Array(request.toSchema(true).toBER()),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3_000),
    });
    if (!res.ok) throw new Error(`OCSP responder answered HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_RESPONSE_BYTES) throw new Error('OCSP answer too large');

    const response = pkijs.OCSPResponse.fromBER(bytes);
    const responseStatus = response.responseStatus.valueBlock.valueDec;
    if (responseStatus !== 0) throw new Error(`OCSP responder status ${responseStatus} (1 malformed, 2 internal error, 3 try later, 5 sig required, 6 unauthorized)`);
    if (!response.responseBytes || response.responseBytes.responseType !== OCSP_BASIC) throw new Error('OCSP answer is not a basic response');
    const basic = pkijs.BasicOCSPResponse.fromBER(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView));
    // A CA signing its own answers need not attach its certificate.
    if (!basic.certs || basic.certs.length === 0) basic.certs = [ca];
    // The issuing CA answering itself (RFC 6960 4.2.2.2) is trusted as it is: its own chain was
    // validated with the login certificate's, and pkijs would otherwise look for the CA's issuer
    // among the attached certificates and refuse every such answer. A delegated responder still
    // needs id-kp-OCSPSigning and to be issued by this CA (pkijs checks both).
    if (!(await basic.verify({ trustedCerts: [ca], trustedResponders: [ca] }, engine))) throw new Error('OCSP answer signature does not verify');

    const echoed = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === OCSP_NONCE);
    if (echoed && !Buffer.from(echoed.extnValue.valueBlock.valueHexView).equals(Buffer.from(nonce))) throw new Error('OCSP answer carries another nonce');

    const single = basic.tbsResponseData.responses.find((r) => r.certID.isEqual(certId));
    if (!single) throw new Error('OCSP answer is not about this certificate');
    const t = now.getTime();
    if (single.thisUpdate.getTime() > t + SKEW_MS) throw new Error('OCSP answer is from the future');
    if (single.nextUpdate && single.nextUpdate.getTime() < t - SKEW_MS) throw new Error('OCSP answer is past its nextUpdate');
    if (!echoed && t - single.thisUpdate.getTime() > (this.opts.maxAgeMs ?? 3600_000)) throw new Error('OCSP answer without our nonce is too old');

    const tag = single.certStatus.idBlock.tagNumber;
    const status: RevocationStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
    return { status, thisUpdate: single.thisUpdate };
  }
}

/** The OCSP responder URL of the certificate's Authority Information Access extension. */
export function responderOf(certificate: x509.X509Certificate): string | undefined {
  const aia = certificate.getExtension(x509.AuthorityInfoAccessExtension);
  const url = aia?.ocsp.find((n) => n.type === 'url')?.value;
  return url && /^https?:\/\//.test(url) ? url : undefined;
}
