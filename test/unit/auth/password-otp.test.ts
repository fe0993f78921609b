/**
 * The pieces of the password + one-time-code login (issue 29), each against something independent:
 * YubiKey OTPs made from a known AES key are read back by Debian's Perl decoder
 * (Auth::Yubikey_Decrypter, package libauth-yubikey-decrypter-perl); the Yubico validation client
 * talks to a local validation server; the SMS sender to a local gateway in Kannel's sendsms form.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../../server/auth/password/password-hash';
import { httpSmsSender, SmsGatewayError } from '../../../server/auth/password/sms-gateway';
import { verifyWithYubico } from '../../../server/auth/password/yubico-client';
import { decryptOtp, makeOtp, newYubikeySecret, verifyLocally } from '../../../server/auth/password/yubikey-otp';
import { startSmsGateway, startYubicoValidation, type SmsGatewayStandIn, type YubicoStandIn } from '../../support/otp-stand-ins';

/** A fixed key, so a failure can be reproduced by hand with the Perl module. */
const KEY = { publicId: 'vvccccdefghi', aesKey: 'ecde18dbe76fbd0c33330f1c354871db', privateId: '8792ebfe26cc' };

/** Auth::Yubikey_Decrypter's reading of each OTP: public id, private id, counter, session use, CRC ok. */
function perlDecode(otps: string[], aesKey: string): { publicId: string; privateId: string; counter: number; session: number; crcOk: boolean }[] {
  const script = 'use Auth::Yubikey_Decrypter; my $k = shift @ARGV; for my $o (@ARGV) { my @r = Auth::Yubikey_Decrypter::yubikey_decrypt($o, $k); print join(",", @r[0,1,2,4], $r[7] ? 1 : 0), "\\n"; }';
  return execFileSync('perl', ['-e', script, aesKey, ...otps], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => {
      const [publicId, privateId, counter, session, crcOk] = l.split(',');
      return { publicId: publicId!, privateId: privateId!, counter: Number(counter), session: Number(session), crcOk: crcOk === '1' };
    });
}

describe('YubiKey OTP, checked by an independent decoder', () => {
  it('every OTP made from a known key is read back by the Perl decoder with its CRC, private id and counters', () => {
    const uses = [[0, 0], [1, 0], [1, 1], [255, 7], [256, 0], [40000, 255], [65535, 3]] as const;
    const otps = uses.map(([c, s]) => makeOtp(KEY, c, s));
    for (const otp of otps) expect(otp).toMatch(/^[cbdefghijklnrtuv]{44}$/);
    const decoded = perlDecode(otps, KEY.aesKey);
    expect(decoded).toEqual(uses.map(([counter, session]) => ({ publicId: KEY.publicId, privateId: KEY.privateId, counter, session, crcOk: true })));
  });

  it('our decoder agrees with the Perl one on random keys, and both see a wrong key as a CRC failure', () => {
    for (let i = 0; i < 5; i++) {
      const k = newYubikeySecret();
      const otp = makeOtp(k, 100 + i, i);
      const [perl] = perlDecode([otp], k.aesKey);
      expect(decryptOtp(otp, k.aesKey)?.token).toMatchObject({ privateId: perl!.privateId, counter: perl!.counter, session: perl!.session });
      const other = newYubikeySecret().aesKey;
      expect(perlDecode([otp], other)[0]!.crcOk).toBe(false);
      expect(decryptOtp(otp, other)).toBeNull();
    }
  });

  it('locally: a fresh OTP passes; the same one again, an older one, another key or a changed character does not', () => {
    const enrolled = { ...KEY, lastCounter: 10, lastSession: 4 };
    expect(verifyLocally(makeOtp(KEY, 10, 5), enrolled)).toEqual({ ok: true, counter: 10, session: 5 });
    expect(verifyLocally(makeOtp(KEY, 11, 0), enrolled)).toEqual({ ok: true, counter: 11, session: 0 });
    expect(verifyLocally(makeOtp(KEY, 10, 4), enrolled)).toEqual({ ok: false, reason: 'REPLAYED' });
    expect(verifyLocally(makeOtp(KEY, 9, 200), enrolled)).toEqual({ ok: false, reason: 'REPLAYED' });
    const stranger = { ...newYubikeySecret(), publicId: KEY.publicId };
    expect(verifyLocally(makeOtp(stranger, 50, 0), enrolled)).toEqual({ ok: false, reason: 'WRONG_KEY' });
    // The right AES key but another private id (a cloned public id on a key programmed apart).
    expect(verifyLocally(makeOtp({ ...KEY, privateId: '000000000000' }, 50, 0), enrolled)).toEqual({ ok: false, reason: 'WRONG_KEY' });
    const otp = makeOtp(KEY, 12, 0);
    const flipped = otp.slice(0, 30) + (otp[30] === 'c' ? 'b' : 'c') + otp.slice(31);
    expect(verifyLocally(flipped, enrolled)).toEqual({ ok: false, reason: 'WRONG_KEY' });
    expect(verifyLocally(otp.slice(0, 43), enrolled)).toEqual({ ok: false, reason: 'BAD_OTP' });
    expect(verifyLocally('ccccccccccce' + otp.slice(12), enrolled)).toEqual({ ok: false, reason: 'BAD_OTP' });
  });
});

describe('passwords', () => {
  it('are stored as scrypt with a salt of their own, verify only with the right password', async () => {
    const a = await hashPassword('korrekt häst batteri');
    const b = await hashPassword('korrekt häst batteri');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('korrekt häst batteri', a)).toBe(true);
    expect(await verifyPassword('korrekt häst batteri ', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Parameters a planted row might ask for, far beyond ours, are refused rather than run.
    expect(await verifyPassword('x', a.replace('$32768$', '$1048576$'))).toBe(false);
  });

  it('the administrator is told in Swedish why a new password will not do', () => {
    expect(passwordProblem('kort')).toMatch(/minst 12 tecken/);
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/enda tecken/);
    expect(passwordProblem('Sommar i Majorna 2026')).toBeUndefined();
  });
});

describe('the Yubico validation protocol 2.0, against a local validation server', () => {
  let v: YubicoStandIn;
  beforeAll(async () => {
    v = await startYubicoValidation();
    v.keys.set(KEY.publicId, KEY.aesKey);
  });
  afterAll(() => v.close());
  const config = () => ({ url: v.url, clientId: v.clientId, apiKey: v.apiKey });

  it('accepts a signed OK for our OTP and nonce; refuses the same OTP again (REPLAYED_OTP)', async () => {
    const otp = makeOtp(KEY, 3, 0);
    expect(await verifyWithYubico(otp, config())).toEqual({ ok: true });
    expect(await verifyWithYubico(otp, config())).toEqual({ ok: false, status: 'REPLAYED_OTP' });
  });

  it('refuses an answer signed with another key, a request it could not authenticate, and no server at all', async () => {
    v.forgeWith = Buffer.from('not the api key').toString('base64');
    expect(await verifyWithYubico(makeOtp(KEY, 4, 0), config())).toEqual({ ok: false, status: 'BAD_SIGNATURE' });
    v.forgeWith = undefined;
    // Our request signed with the wrong key: the server says BAD_SIGNATURE (signed with its key, which we do not share).
    expect((await verifyWithYubico(makeOtp(KEY, 5, 0), { ...config(), apiKey: Buffer.from('wrong').toString('base64') })).ok).toBe(false);
    expect(await verifyWithYubico(makeOtp(KEY, 6, 0), { ...config(), url: 'http://127.0.0.1:9/wsapi/2.0/verify', timeoutMs: 1000 })).toEqual({ ok: false, status: 'UNREACHABLE' });
  });
});

describe('the SMS gateway (Kannel sendsms form)', () => {
  let g: SmsGatewayStandIn;
  beforeAll(async () => {
    g = await startSmsGateway();
  });
  afterAll(() => g.close());

  it('sends to and text as query parameters, keeping the gateway credentials of the URL', async () => {
    await httpSmsSender({ url: g.url, from: 'Omsorg' })('+46701234567', 'Din kod: 123456');
    expect(g.sent).toEqual([expect.objectContaining({ to: '+46701234567', text: 'Din kod: 123456' })]);
    expect(g.sent[0]!.query).toMatch(/username=omsorg&password=hemligt/);
    expect(g.sent[0]!.query).toMatch(/from=Omsorg/);
  });

  it('a refusing or absent gateway is an error that names neither the number nor the text', async () => {
    g.status = 503;
    const e = await httpSmsSender({ url: g.url })('+46701234567', 'Din kod: 654321').catch((x: unknown) => x);
    g.status = 202;
    expect(e).toBeInstanceOf(SmsGatewayError);
    expect(String(e)).toMatch(/HTTP 503/);
    const e2 = await httpSmsSender({ url: 'http://127.0.0.1:9/cgi-bin/sendsms', timeoutMs: 1000 })('+46701234567', 'Din kod: 654321').catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(SmsGatewayError);
    for (const msg of [String(e), String(e2)]) expect(msg).not.toMatch(/4670|654321/);
  });
});
