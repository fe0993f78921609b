import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApduSession } from '../../../native/apdu/session';
import { Pkcs15Profile, type Pkcs15Objects } from '../../../native/profiles/pkcs15';
import { CARD_PROFILES, CARD_PROFILE_NAMES, type SoftCardProfile } from '../../../native/softcard/profiles';
import { openscConf, pkcs15Tool } from '../../support/opensc';
import { makeTestCard, type KeyAlg } from '../../support/test-certs';
import { READER_A, Rig, failure, pin } from './helpers';

/**
 * The card-behaviour matrix (native/softcard/profiles.ts) through real pcscd + vpcd: for every
 * profile, RSA and EC, on one inserted card —
 *   1. OpenSC's pkcs15-tool (default driver) lists every object with no decoding error, and the
 *      certificate and public key it reads are byte-identical to the card file;
 *   2. our own PKCS#15 reader finds the same objects with the same bytes;
 *   3. login signs (verifiable), a wrong PIN says "Fel PIN-kod" with the tries left, the third
 *      wrong PIN blocks, a blocked PIN is never sent again, and a pulled card is seen as removed.
 * One PC/SC stack serves the whole file; each card is pulled before the next goes in.
 */
let rig: Rig;
let defaultDriverOnly: string | undefined;
beforeAll(() => {
  rig = new Rig();
});
afterAll(async () => {
  await rig.close();
});

const hexId = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const spkiOf = (pem: string): Buffer => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
/** Our reader's public key file as SPKI (RSA files hold RSAPublicKey). */
const spkiFromFile = (der: Uint8Array): Buffer => {
  const rsa = (() => {
    try {
      return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'pkcs1' });
    } catch {
      return undefined;
    }
  })();
  return (rsa ?? createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })).export({ type: 'spki', format: 'der' });
};

const verifies = (certDer: Uint8Array, data: Buffer, sig: Uint8Array): boolean => {
  const key = new X509Certificate(certDer).publicKey;
  return key.asymmetricKeyType === 'ec' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha256', data, key, sig);
};

for (const name of CARD_PROFILE_NAMES) {
  const profile: SoftCardProfile = CARD_PROFILES[name];
  describe(`card profile ${name} (${profile.description})`, () => {
    for (const alg of (profile.algorithms ?? ['RSA-2048', 'EC-P256']) as KeyAlg[]) {
      it(`${alg}: OpenSC and our reader read the same objects; login, wrong PIN, blocked PIN, pulled card`, async () => {
        const file = await makeTestCard({ alg, atrHex: profile.atrHex, behaviour: profile.behaviour });
        const vpcd = await rig.insert(file, READER_A);
        try {
        const authCert = file.auth.certificateChainPem[0]!;
        const authId = createHash('sha1').update(spkiOf(authCert)).digest('hex');

        // 1. OpenSC, as an independent reader of the same card's PKCS#15 application (a card with a PIV applet
        //    beside it would get OpenSC's PIV driver; that side is test/integration/card/opensc-piv.reader.test.ts).
        const ossc = await pkcs15Tool([
          '--list-certificates',
          '--list-keys',
          '--list-public-keys',
          '--list-pins',
          '--read-certificate',
          authId,
          ...(profile.behaviour.minimalFiles ? [] : ['--read-public-key', authId]),
        ], profile.behaviour.pivApplet ? { conf: (defaultDriverOnly ??= openscConf({ drivers: ['default'] })) } : {});
        const said = ossc.stdout + ossc.stderr;
        expect(ossc.code, said).toBe(0);
        expect(said, said).not.toMatch(/decoding failed|ASN\.1|Failed to|error/i);
        const ids = (kind: RegExp) => ossc.objects.filter((o) => kind.test(o.kind)).map((o) => o.fields['ID'] ?? o.fields['Auth ID']);
        const certPem = ossc.pem.find((p) => p.type === 'CERTIFICATE');
        expect(certPem?.der.equals(new X509Certificate(authCert).raw)).toBe(true);
        if (!profile.behaviour.minimalFiles) expect(ossc.pem.find((p) => p.type === 'PUBLIC KEY')?.der.equals(spkiOf(authCert))).toBe(true);

        // Every object on the card: the two leaf certificates and the CA, both keys, PIN and PUK.
        expect(ids(/^X\.509/).length).toBe(3);
        expect(ids(/^Private/).length).toBe(2);
        expect(ids(/^Public/).length).toBe(profile.behaviour.minimalFiles ? 0 : 2);
        expect(ids(/^PIN/).length).toBe(2);

        // 2. Our reader on the same card: the same objects, the same bytes.
        const ours: Pkcs15Objects = await rig.readers.withCard(READER_A.name, (c) => new Pkcs15Profile().readObjects(new ApduSession(c.transport)), {
          share: 'shared',
        });
        expect(new Set(ids(/^X\.509/))).toEqual(new Set(ours.certificates.map((c) => hexId(c.id))));
        expect(new Set(ids(/^Private/))).toEqual(new Set(ours.privateKeys.map((k) => hexId(k.id))));
        expect(new Set(ids(/^Public/))).toEqual(new Set(ours.publicKeys.map((k) => hexId(k.id))));
        expect(ids(/^PIN/).length).toBe(ours.pins.length);
        const chain = [...file.auth.certificateChainPem, ...(file.sign?.certificateChainPem ?? [])].map((p) => new X509Certificate(p).raw);
        for (const c of ours.certificates) expect(chain.some((d) => d.equals(c.der))).toBe(true);
        for (const k of ours.publicKeys) expect([spkiOf(authCert), spkiOf(file.sign!.certificateChainPem[0]!)].some((s) => s.equals(spkiFromFile(k.der!)))).toBe(true);
        expect(ours.certificates.find((c) => hexId(c.id) === authId)).toBeDefined();

        // 3. Login and the PIN rules.
        expect(await rig.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 3, blocked: false });
        const data = Buffer.from(`login challenge for ${name}`);
        const hash = createHash('sha256').update(data).digest();
        const t0 = performance.now();
        const res = await rig.service.sign(READER_A.name, pin('1234'), hash, 'SHA-256');
        if (profile.behaviour.signDelayMs) expect(performance.now() - t0).toBeGreaterThanOrEqual(profile.behaviour.signDelayMs);
        expect(verifies(res.certificateDer, data, res.signature)).toBe(true);
        for (const left of [2, 1]) {
          const wrong = await failure(rig.service.sign(READER_A.name, pin('9999'), hash, 'SHA-256'));
          expect([wrong.code, wrong.details]).toEqual(['PIN_WRONG', { triesLeft: left }]);
          expect(wrong.message).toContain('Fel PIN-kod');
          expect(wrong.message).toContain(`${left} försök kvar`);
        }
        expect((await failure(rig.service.sign(READER_A.name, pin('9999'), hash, 'SHA-256'))).code).toBe('PIN_BLOCKED');
        expect(await rig.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 0, blocked: true });
        const verifiesWithData = async () => (await vpcd.commands()).filter((c) => c.ins === 0x20 && c.length > 5).length;
        const before = await verifiesWithData();
        expect((await failure(rig.service.sign(READER_A.name, pin('1234'), hash, 'SHA-256'))).code).toBe('PIN_BLOCKED');
        expect(await verifiesWithData()).toBe(before); // the blocked PIN never reaches the card

        // Pulled: the monitor says so, and the next operation fails as a missing card.
        const pulledAt = Date.now();
        await vpcd.close();
        await vi.waitFor(() => expect(rig.events.some((e) => e.at >= pulledAt && e.e.type === 'card-removed' && e.e.reader === READER_A.name), 'card-removed').toBe(true), { timeout: 2000, interval: 10 });
        expect(['NO_CARD', 'CARD_REMOVED']).toContain((await failure(rig.service.sign(READER_A.name, pin('1234'), hash, 'SHA-256'))).code);
        } finally {
          // Whatever failed, the reader is empty for the next profile.
          await vpcd.close();
          await vi.waitFor(() => expect(rig.service.snapshot().every((r) => !r.cardPresent), 'reader empty').toBe(true), { timeout: 3000, interval: 10 });
        }
      });
    }
  });
}

describe('a slow card (400 ms signature) pulled while it signs', () => {
  it('fails with CARD_REMOVED, without hanging', async () => {
    const vpcd = await rig.insert(await makeTestCard({ behaviour: CARD_PROFILES['slow-400ms'].behaviour }), READER_A);
    const signing = failure(rig.service.sign(READER_A.name, pin('1234'), new Uint8Array(32), 'SHA-256'));
    await new Promise((r) => setTimeout(r, 150));
    await vpcd.close();
    expect((await signing).code).toBe('CARD_REMOVED');
    await vi.waitFor(() => expect(rig.service.snapshot().every((r) => !r.cardPresent), 'reader empty').toBe(true), { timeout: 3000, interval: 10 });
  });
});
