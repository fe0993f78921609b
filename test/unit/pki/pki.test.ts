import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtemp, readFile, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { OIDS, TEST_LOA3_POLICY_OID } from '#contract';
import { HsaId } from '#contract';
import { CardFile } from '../../../native/softcard/card-file';
import * as x509 from '../../../server/auth/x509';
import { main as cardCli } from '../../../tools/card';
import { createTestPki, generateTestPki, issuePersonCard, loadTestPki, PERSON_CA_NAME, ROOT_CA_NAME, type TestPki } from '../../../tools/pki/index';

const person = { hsaId: 'SE2321000131-P000000000101', givenName: 'Åsa', familyName: 'Öberg' };

let pki: TestPki;
beforeAll(async () => {
  pki = await generateTestPki();
});

const leafOf = (card: CardFile, key: 'auth' | 'sign' = 'auth') => new x509.X509Certificate(card[key]!.certificateChainPem[0]!);

describe('test PKI modelled on SITHS e-id', () => {
  it('has a self-signed root CA and an issuing CA signed by it, both CAs that may sign certificates', async () => {
    expect(pki.root.cert.subject).toBe(ROOT_CA_NAME.replace(/, /g, ', '));
    expect(pki.root.cert.subjectName.getField('CN')).toEqual(['TEST SITHS e-id Root CA v2']);
    expect(pki.personCa.cert.subjectName.getField('CN')).toEqual(['TEST SITHS e-id Person HSA-id 3 CA v1']);
    expect(pki.personCa.cert.issuer).toBe(pki.root.cert.subject);
    expect(await pki.root.cert.isSelfSigned()).toBe(true);
    expect(await pki.personCa.cert.verify({ publicKey: pki.root.cert.publicKey, signatureOnly: true })).toBe(true);
    for (const ca of [pki.root.cert, pki.personCa.cert]) {
      expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
      const ku = ca.getExtension(x509.KeyUsagesExtension)!;
      expect(ku.critical).toBe(true);
      expect(ku.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
      expect(ku.usages & x509.KeyUsageFlags.cRLSign).toBeTruthy();
    }
    expect(PERSON_CA_NAME).toContain('TEST SITHS e-id Person HSA-id 3 CA v1');
  });

  it('issues a person certificate with the HSA-ID in serialNumber, digitalSignature (critical), LoA3 policy and clientAuth', async () => {
    const card = await issuePersonCard(pki, person);
    const leaf = leafOf(card);
    expect(await leaf.verify({ publicKey: pki.personCa.cert.publicKey, signatureOnly: true })).toBe(true);
    expect(leaf.issuer).toBe(pki.personCa.cert.subject);
    expect(leaf.subjectName.getField(OIDS.subjectSerialNumber)).toEqual([person.hsaId]);
    expect(HsaId.safeParse(leaf.subjectName.getField(OIDS.subjectSerialNumber)[0]).success).toBe(true);
    expect(leaf.subjectName.getField(OIDS.givenName)).toEqual(['Åsa']);
    expect(leaf.subjectName.getField(OIDS.surname)).toEqual(['Öberg']);
    expect(leaf.subjectName.getField('CN')).toEqual(['Åsa Öberg']);
    expect(leaf.subjectName.getField('C')).toEqual(['SE']);
    const ku = leaf.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.critical).toBe(true);
    expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(leaf.getExtension(x509.CertificatePolicyExtension)?.policies).toEqual([TEST_LOA3_POLICY_OID]);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([OIDS.clientAuth, OIDS.smartcardLogon]);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
  });

  it('adds a nonRepudiation-only signature certificate, as real SITHS cards have', async () => {
    const sign = leafOf(await issuePersonCard(pki, person), 'sign');
    expect(sign.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.nonRepudiation);
    expect(sign.getExtension(x509.ExtendedKeyUsageExtension)).toBeNull();
  });

  it('honours validity dates, so expired and not-yet-valid cards can be issued', async () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const leaf = leafOf(await issuePersonCard(pki, { ...person, notBefore, notAfter }));
    expect(leaf.notBefore.toISOString()).toBe(notBefore.toISOString());
    expect(leaf.notAfter.toISOString()).toBe(notAfter.toISOString());
  });

  it.each(['rsa', 'ec'] as const)('writes a card file (%s) that validates against the CardFile schema and whose key matches its certificate', async (algorithm) => {
    const card = await issuePersonCard(pki, { ...person, algorithm, pin: '2468' });
    expect(CardFile.parse(JSON.parse(JSON.stringify(card)))).toEqual(card);
    expect(card.auth.algorithm).toBe(algorithm === 'rsa' ? 'RSA-2048' : 'EC-P256');
    expect(card.auth.certificateChainPem).toHaveLength(2);
    expect(new x509.X509Certificate(card.auth.certificateChainPem[1]!).subject).toBe(pki.personCa.cert.subject);
    expect(card.pin).toEqual({ value: '2468', triesLeft: 3, maxTries: 3 });
    expect(card.puk.value).toMatch(/^\d{8}$/);
    expect(card.holder).toEqual({ hsaId: person.hsaId, name: 'Åsa Öberg' });
    const data = Buffer.from('proof of possession');
    const sig = sign('sha256', data, createPrivateKey(card.auth.privateKeyPem));
    const publicKey = createPublicKey(card.auth.certificateChainPem[0]!);
    expect(verify('sha256', data, publicKey, sig)).toBe(true);
  });

  it('an untrusted PKI has the same names but other keys', async () => {
    const other = await generateTestPki();
    expect(other.personCa.cert.subject).toBe(pki.personCa.cert.subject);
    const leaf = leafOf(await issuePersonCard(other, person));
    expect(await leaf.verify({ publicKey: pki.personCa.cert.publicKey, signatureOnly: true })).toBe(false);
  });

  it('persists the CA keys and certificates as PEM (keys mode 0600) and loads them back', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pki-')), 'pki');
    const created = await createTestPki(dir);
    const loaded = await loadTestPki(dir);
    expect(loaded.root.cert.equal(created.root.cert)).toBe(true);
    expect(loaded.personCa.cert.equal(created.personCa.cert)).toBe(true);
    expect((await stat(join(dir, 'root-ca.key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'person-ca.key.pem'))).mode & 0o777).toBe(0o600);
    // The loaded CA key still issues certificates that chain to the stored root.
    const leaf = leafOf(await issuePersonCard(loaded, person));
    expect(await leaf.verify({ publicKey: created.personCa.cert.publicKey, signatureOnly: true })).toBe(true);
  });
});

describe('npm run card', () => {
  it('issue writes a card file with mode 0600 and prints its path; ca prints the trust anchor paths', async () => {
    const base = await mkdtemp(join(tmpdir(), 'card-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const out = join(base, 'cards', 'anna.json');
      const args = ['--pki', join(base, 'pki')];
      expect(await cardCli(['issue', '--hsa-id', person.hsaId, '--name', 'Anna Maria Lindqvist', '--algorithm', 'ec', '--pin', '1234', '--out', out, ...args])).toBe(0);
      expect(log).toHaveBeenLastCalledWith(out);
      expect((await stat(out)).mode & 0o777).toBe(0o600);
      const card = CardFile.parse(JSON.parse(await readFile(out, 'utf8')));
      expect(card.holder.name).toBe('Anna Maria Lindqvist');
      expect(card.auth.algorithm).toBe('EC-P256');
      expect(leafOf(card).subjectName.getField(OIDS.givenName)).toEqual(['Anna Maria']);

      log.mockClear();
      expect(await cardCli(['ca', ...args])).toBe(0);
      expect(log.mock.calls.map((c) => c[0])).toEqual([`trust-anchor ${join(base, 'pki', 'root-ca.pem')}`, `intermediate ${join(base, 'pki', 'person-ca.pem')}`]);
    } finally {
      log.mockRestore();
    }
  });

  it('demo issues a card file for every demo person', async () => {
    const base = await mkdtemp(join(tmpdir(), 'card-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await cardCli(['demo', '--out', join(base, 'cards'), '--pki', join(base, 'pki')])).toBe(0);
      const { demoPeople } = await import('../../../tools/card');
      const people = await demoPeople();
      const files = await readdir(join(base, 'cards'));
      expect(files).toHaveLength(people.length);
      for (const f of files) CardFile.parse(JSON.parse(await readFile(join(base, 'cards', f), 'utf8')));
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
