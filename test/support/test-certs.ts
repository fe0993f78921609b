import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARD_FILE_FORMAT, CardFile } from '../../native/softcard/card-file';
import * as x509 from '../../server/auth/x509';

/**
 * Keys and certificates for native/ tests: a self-signed test CA and leaf certificates with key
 * usage digitalSignature (authentication) or nonRepudiation (signature). Not the SITHS-like test
 * PKI of tools/pki — just enough for the card stack to have real keys and real certificates.
 */

export type KeyAlg = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-P256' | 'EC-P384';
const rsaBits = (alg: KeyAlg): number | undefined => ({ 'RSA-2048': 2048, 'RSA-3072': 3072, 'RSA-4096': 4096 })[alg as string];

interface Ca {
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

let caPromise: Promise<Ca> | undefined;

function testCa(): Promise<Ca> {
  caPromise ??= (async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=TEST native CA, O=Omsorgsportalen test',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 365 * 86_400_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    return { keys, cert };
  })();
  return caPromise;
}

const keyCache = new Map<string, KeyObject[]>();
/** RSA key generation is slow; tests reuse a small pool of keys per algorithm. */
function keyPair(alg: KeyAlg, slot: number): { privateKey: KeyObject; publicKey: KeyObject } {
  const k = `${alg}/${slot}`;
  let pair = keyCache.get(k);
  if (!pair) {
    const bits = rsaBits(alg);
    const g = bits ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ec', { namedCurve: alg === 'EC-P384' ? 'P-384' : 'P-256' });
    pair = [g.privateKey, g.publicKey];
    keyCache.set(k, pair);
  }
  return { privateKey: pair[0]!, publicKey: pair[1]! };
}

export async function issueLeaf(alg: KeyAlg, opts: { usage: 'auth' | 'sign'; hsaId: string; name: string; slot?: number }) {
  const ca = await testCa();
  const { privateKey, publicKey } = keyPair(alg, (opts.slot ?? 0) * 2 + (opts.usage === 'sign' ? 1 : 0));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const importAlg = rsaBits(alg) ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: alg === 'EC-P384' ? 'P-384' : 'P-256' };
  const pub = await webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `CN=${opts.name}, 2.5.4.5=${opts.hsaId}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    publicKey: pub,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(opts.usage === 'auth' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.nonRepudiation, true),
    ],
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificateChainPem: [cert.toString('pem'), ca.cert.toString('pem')],
    publicKey,
  };
}

export interface TestCardOptions {
  alg?: KeyAlg;
  pin?: string;
  puk?: string;
  pinTries?: number;
  withSignKey?: boolean;
  behaviour?: Partial<CardFile['behaviour']>;
  /** Different slots give different keys (a "different card"). */
  slot?: number;
  label?: string;
  atrHex?: string;
}

/** A complete, valid card file with real keys and certificates. */
export async function makeTestCard(o: TestCardOptions = {}): Promise<CardFile> {
  const alg = o.alg ?? 'RSA-2048';
  const hsaId = `SE2321000016-T${String(o.slot ?? 0).padStart(3, '0')}`;
  const auth = await issueLeaf(alg, { usage: 'auth', hsaId, name: 'Test Testsson', slot: o.slot ?? 0 });
  const sign = o.withSignKey === false ? undefined : await issueLeaf(alg, { usage: 'sign', hsaId, name: 'Test Testsson', slot: o.slot ?? 0 });
  const tries = o.pinTries ?? 3;
  return CardFile.parse({
    format: CARD_FILE_FORMAT,
    label: o.label ?? `Test Testsson (${alg})`,
    holder: { hsaId, name: 'Test Testsson' },
    atrHex: o.atrHex ?? '3BFF9600008131FE4380318065B0846566FB12017882900085',
    auth: { algorithm: alg, privateKeyPem: auth.privateKeyPem, certificateChainPem: auth.certificateChainPem },
    ...(sign ? { sign: { algorithm: alg, privateKeyPem: sign.privateKeyPem, certificateChainPem: sign.certificateChainPem } } : {}),
    pin: { value: o.pin ?? '1234', triesLeft: tries, maxTries: 3 },
    puk: { value: o.puk ?? '12345678', triesLeft: 5, maxTries: 5 },
    behaviour: { useGetResponse: false, wrongLeFirst: false, signDelayMs: 0, ...o.behaviour },
  });
}

/** Writes a card file into a fresh temporary directory; returns its path. */
export async function writeTestCard(o: TestCardOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'softcard-'));
  const path = join(dir, 'card.json');
  writeFileSync(path, JSON.stringify(await makeTestCard(o), null, 2));
  return path;
}
