import { describe, expect, it } from 'vitest';
import { TEST_LOA3_POLICY_OID } from '#contract';
import { readConfig } from '../../../server/config';
import { retentionDaysOf } from '../../../server/sync/retention';

describe('server configuration from the environment', () => {
  it('without TRUST_ANCHORS: login disabled, no origin configured', () => {
    const config = readConfig({});
    expect(config.auth).toBeUndefined();
    expect(config.publicOrigin).toBeUndefined();
    expect(config.host).toBe('127.0.0.1');
  });

  it('reads comma-separated trust files and policies', () => {
    const config = readConfig({
      TRUST_ANCHORS: '/etc/siths/root.pem, /etc/siths/root2.pem',
      INTERMEDIATE_CAS: '/etc/siths/person-ca.pem',
      REQUIRED_POLICIES: `${TEST_LOA3_POLICY_OID},1.2.752.129.2.1.3`,
      PUBLIC_ORIGIN: 'https://omsorg.kommun.se',
    });
    expect(config.auth).toEqual({
      trustAnchorFiles: ['/etc/siths/root.pem', '/etc/siths/root2.pem'],
      intermediateFiles: ['/etc/siths/person-ca.pem'],
      requiredPolicies: [TEST_LOA3_POLICY_OID, '1.2.752.129.2.1.3'],
      policyProcessing: 'person',
    });
    expect(config.publicOrigin).toBe('https://omsorg.kommun.se');
  });

  it('POLICY_PROCESSING: person by default (the LoA from the person certificate), rfc5280 for strict processing through the CAs, nothing else', () => {
    const trust = { TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID };
    expect(readConfig({ ...trust, POLICY_PROCESSING: 'rfc5280' }).auth?.policyProcessing).toBe('rfc5280');
    expect(() => readConfig({ ...trust, POLICY_PROCESSING: 'strict' })).toThrow(/POLICY_PROCESSING must be person or rfc5280/);
  });

  it('requires REQUIRED_POLICIES with TRUST_ANCHORS, and TRUST_ANCHORS with the others', () => {
    expect(() => readConfig({ TRUST_ANCHORS: '/root.pem' })).toThrow(/REQUIRED_POLICIES must be set/);
    expect(() => readConfig({ REQUIRED_POLICIES: TEST_LOA3_POLICY_OID })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ INTERMEDIATE_CAS: '/ca.pem' })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: 'loa3' })).toThrow(/not an OID/);
  });

  it('OCSP: off by default; on asks the AIA responder; OCSP_URL another one; the grace in minutes', () => {
    const trust = { TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID };
    expect(readConfig(trust).auth?.ocsp).toBeUndefined();
    expect(readConfig({ ...trust, OCSP: 'on' }).auth?.ocsp).toEqual({ graceMs: 240 * 60_000 });
    expect(readConfig({ ...trust, OCSP_URL: 'http://ocsp.siths.se', OCSP_GRACE_MINUTES: '0' }).auth?.ocsp).toEqual({ url: 'http://ocsp.siths.se', graceMs: 0 });
    expect(() => readConfig({ OCSP: 'on' })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ ...trust, OCSP: 'yes' })).toThrow(/OCSP must be on or off/);
    expect(() => readConfig({ ...trust, OCSP: 'off', OCSP_URL: 'http://ocsp.siths.se' })).toThrow(/OCSP=off/);
    expect(() => readConfig({ ...trust, OCSP_URL: 'ocsp.siths.se' })).toThrow(/OCSP_URL/);
    expect(() => readConfig({ ...trust, OCSP: 'on', OCSP_GRACE_MINUTES: '2000' })).toThrow(/OCSP_GRACE_MINUTES/);
  });

  it('accepts only a bare origin as PUBLIC_ORIGIN', () => {
    for (const bad of ['https://omsorg.kommun.se/', 'https://omsorg.kommun.se/api', 'omsorg.kommun.se', 'ftp://x.se', 'https://user@x.se']) {
      expect(() => readConfig({ PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
    }
    expect(readConfig({ PUBLIC_ORIGIN: 'http://127.0.0.1:8443' }).publicOrigin).toBe('http://127.0.0.1:8443');
  });

  it('DAY_NOTE_RETENTION_DAYS (the day notes\' retention setting): absent is the kind\'s default 90, a whole number of days otherwise', () => {
    expect(readConfig({}).retentionDays).toEqual({});
    expect(retentionDaysOf(readConfig({}).retentionDays)).toEqual({ day_note: 90 });
    expect(readConfig({ DAY_NOTE_RETENTION_DAYS: '30' }).retentionDays).toEqual({ day_note: 30 });
    for (const bad of ['0', '-5', '1.5', 'ninety']) {
      expect(() => readConfig({ DAY_NOTE_RETENTION_DAYS: bad })).toThrow(/DAY_NOTE_RETENTION_DAYS/);
    }
  });
});
