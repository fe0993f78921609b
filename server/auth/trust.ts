import { readFile } from 'node:fs/promises';
import type { OcspChecker, PolicyProcessing } from './certificate';
import type { TrustConfig } from './service';
import * as x509 from './x509';

/** Every certificate in a PEM text (a bundle may hold several). */
export function certificatesFromPem(pem: string): x509.X509Certificate[] {
  return x509.PemConverter.decode(pem).map((der) => new x509.X509Certificate(der));
}

export interface TrustFiles {
  /** PEM files of the roots to trust: SITHS e-id Root CA v2 in production, .data/pki/root-ca.pem in dev. */
  trustAnchorFiles: string[];
  /** PEM files of issuing CAs (SITHS e-id Person HSA-id 3 CA v1, …). */
  intermediateFiles?: string[];
  /** LoA3 policy OID(s) from Inera's SITHS e-id documentation; the test PKI's in dev. */
  requiredPolicies: string[];
  ocsp?: OcspChecker;
}

export interface TrustPem {
  /** PEM texts (each may be a bundle) of the roots to trust. */
  trustAnchorsPem: string[];
  /** PEM texts of issuing CAs that cards may not send. */
  intermediatesPem?: string[];
  /** LoA3 policy OID(s); at least one. */
  requiredPolicies: string[];
  /** How the policy is checked (server/auth/certificate.ts); default 'person'. */
  policyProcessing?: PolicyProcessing;
  ocsp?: OcspChecker;
}

/** Trust configuration from PEM texts; refuses an empty or CA-less configuration. */
export function trustConfigFromPem(pem: TrustPem): TrustConfig {
  const trustAnchors = pem.trustAnchorsPem.flatMap(certificatesFromPem);
  const intermediates = (pem.intermediatesPem ?? []).flatMap(certificatesFromPem);
  if (trustAnchors.length === 0) throw new Error('No trust anchor certificates configured');
  const requiredPolicies = pem.requiredPolicies.map((p) => p.trim()).filter(Boolean);
  if (requiredPolicies.length === 0) throw new Error('No required certificate policy configured');
  for (const p of requiredPolicies) if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(p)) throw new Error(`Not an OID: ${p}`);
  for (const c of [...trustAnchors, ...intermediates]) {
    if (!c.getExtension(x509.BasicConstraintsExtension)?.ca) throw new Error(`Not a CA certificate: ${c.subject}`);
  }
  return { trustAnchors, intermediates, requiredPolicies, ocsp: pem.ocsp, ...(pem.policyProcessing ? { policyProcessing: pem.policyProcessing } : {}) };
}

/** Reads the configured trust anchors; refuses an empty or CA-less configuration. */
export async function loadTrustConfig(files: TrustFiles): Promise<TrustConfig> {
  const read = (paths: string[]) => Promise.all(paths.map((p) => readFile(p, 'utf8')));
  return trustConfigFromPem({
    trustAnchorsPem: await read(files.trustAnchorFiles),
    intermediatesPem: await read(files.intermediateFiles ?? []),
    requiredPolicies: files.requiredPolicies,
    ocsp: files.ocsp,
  });
}
