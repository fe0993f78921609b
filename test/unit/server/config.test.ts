import { describe, expect, it } from 'vitest';
import { TEST_LOA3_POLICY_OID } from '#contract';
import { readConfig, readOidc } from '../../../server/config';
import { SERVER_REGISTRY } from '../../../server/kinds';
import { retentionDaysOf } from '../../../server/sync/retention';

describe('server configuration from the environment', () => {
  it('without TRUST_ANCHORS: login disabled, no origin configured', () => {
    const config = readConfig({ EMBEDDED: '1' });
    expect(config.auth).toBeUndefined();
    expect(config.publicOrigin).toBeUndefined();
    expect(config.host).toBe('127.0.0.1');
  });

  it('reads comma-separated trust files and policies', () => {
    const config = readConfig({
      EMBEDDED: '1',
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

  it('SYNC_EVENT_SPREAD_MS: 400 by default, 0 turns the spread of `changed` off, beyond 5000 refused', () => {
    expect(readConfig({ EMBEDDED: '1' }).eventSpreadMs).toBe(400);
    expect(readConfig({ EMBEDDED: '1', SYNC_EVENT_SPREAD_MS: '0' }).eventSpreadMs).toBe(0);
    expect(() => readConfig({ EMBEDDED: '1', SYNC_EVENT_SPREAD_MS: '9000' })).toThrow(/SYNC_EVENT_SPREAD_MS must be a whole number 0–5000/);
  });

  it('POLICY_PROCESSING: person by default (the LoA from the person certificate), rfc5280 for strict processing through the CAs, nothing else', () => {
    const trust = { EMBEDDED: '1', TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID };
    expect(readConfig({ ...trust, POLICY_PROCESSING: 'rfc5280' }).auth?.policyProcessing).toBe('rfc5280');
    expect(() => readConfig({ ...trust, POLICY_PROCESSING: 'strict' })).toThrow(/POLICY_PROCESSING must be person or rfc5280/);
  });

  it('requires REQUIRED_POLICIES with TRUST_ANCHORS, and TRUST_ANCHORS with the others', () => {
    expect(() => readConfig({ EMBEDDED: '1', TRUST_ANCHORS: '/root.pem' })).toThrow(/REQUIRED_POLICIES must be set/);
    expect(() => readConfig({ EMBEDDED: '1', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ EMBEDDED: '1', INTERMEDIATE_CAS: '/ca.pem' })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ EMBEDDED: '1', TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: 'loa3' })).toThrow(/not an OID/);
  });

  it('OCSP: off by default; on asks the AIA responder; OCSP_URL another one; the grace in minutes', () => {
    const trust = { TRUST_ANCHORS: '/root.pem', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID };
    expect(readConfig({ EMBEDDED: '1', ...trust }).auth?.ocsp).toBeUndefined();
    expect(readConfig({ EMBEDDED: '1', ...trust, OCSP: 'on' }).auth?.ocsp).toEqual({ graceMs: 240 * 60_000 });
    expect(readConfig({ EMBEDDED: '1', ...trust, OCSP_URL: 'http://ocsp.siths.se', OCSP_GRACE_MINUTES: '0' }).auth?.ocsp).toEqual({ url: 'http://ocsp.siths.se', graceMs: 0 });
    expect(() => readConfig({ EMBEDDED: '1', OCSP: 'on' })).toThrow(/TRUST_ANCHORS is not/);
    expect(() => readConfig({ EMBEDDED: '1', ...trust, OCSP: 'yes' })).toThrow(/OCSP must be on or off/);
    expect(() => readConfig({ EMBEDDED: '1', ...trust, OCSP: 'off', OCSP_URL: 'http://ocsp.siths.se' })).toThrow(/OCSP=off/);
    expect(() => readConfig({ EMBEDDED: '1', ...trust, OCSP_URL: 'ocsp.siths.se' })).toThrow(/OCSP_URL/);
    expect(() => readConfig({ EMBEDDED: '1', ...trust, OCSP: 'on', OCSP_GRACE_MINUTES: '2000' })).toThrow(/OCSP_GRACE_MINUTES/);
  });

  it('accepts only a bare origin as PUBLIC_ORIGIN', () => {
    for (const bad of ['https://omsorg.kommun.se/', 'https://omsorg.kommun.se/api', 'omsorg.kommun.se', 'ftp://x.se', 'https://user@x.se']) {
      expect(() => readConfig({ EMBEDDED: '1', PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
    }
    expect(readConfig({ EMBEDDED: '1', PUBLIC_ORIGIN: 'http://127.0.0.1:8443' }).publicOrigin).toBe('http://127.0.0.1:8443');
  });

  it('DAY_NOTE_RETENTION_DAYS (the day notes\' retention setting): absent is the kind\'s default 90, a whole number of days otherwise', () => {
    expect(readConfig({ EMBEDDED: '1' }).retentionDays).toEqual({});
    expect(retentionDaysOf(SERVER_REGISTRY.retained, readConfig({ EMBEDDED: '1' }).retentionDays)).toEqual({ day_note: 90 });
    expect(readConfig({ EMBEDDED: '1', DAY_NOTE_RETENTION_DAYS: '30' }).retentionDays).toEqual({ day_note: 30 });
    for (const bad of ['0', '-5', '1.5', 'ninety']) {
      expect(() => readConfig({ EMBEDDED: '1', DAY_NOTE_RETENTION_DAYS: bad })).toThrow(/DAY_NOTE_RETENTION_DAYS/);
    }
  });

  it('ACCESS_LOG_RETENTION_MONTHS: absent keeps the access log for ever; at least 60 months (five years), a whole number', () => {
    expect(readConfig({ EMBEDDED: '1' }).accessLogRetentionMonths).toBeUndefined();
    expect(readConfig({ EMBEDDED: '1', ACCESS_LOG_RETENTION_MONTHS: '72' }).accessLogRetentionMonths).toBe(72);
    for (const bad of ['59', '0', '-72', '72.5', 'sex år', '1201']) {
      expect(() => readConfig({ EMBEDDED: '1', ACCESS_LOG_RETENTION_MONTHS: bad })).toThrow(/ACCESS_LOG_RETENTION_MONTHS.*60–1200/);
    }
  });

  it('refuses to start without DATABASE_URL unless told to embed, saying how', () => {
    expect(() => readConfig({})).toThrow(/DATABASE_URL is not set.*EMBEDDED=1 or --embedded/);
    expect(readConfig({}, { embedded: true }).embedded).toBe(true);
    expect(readConfig({ DATABASE_URL: 'postgres://app@db/omsorg' }).embedded).toBe(false);
    expect(() => readConfig({ DATABASE_URL: 'postgres://app@db/omsorg', EMBEDDED: '1' })).toThrow(/choose one/);
  });

  it('reads the pool settings, with defaults, and refuses nonsense', () => {
    const url = { DATABASE_URL: 'postgres://app@pgbouncer:6432/omsorg' };
    expect(readConfig(url).pool).toEqual({ max: 10, connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleTimeoutMs: 30_000, preparedStatements: true });
    const set = readConfig({
      ...url,
      DATABASE_POOL_SIZE: '25',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      DATABASE_IDLE_TIMEOUT_MS: '60000',
      DATABASE_LISTEN_URL: 'postgres://app@db:5432/omsorg',
      DATABASE_PREPARED_STATEMENTS: '0',
    });
    expect(set.pool).toEqual({ max: 25, connectTimeoutMs: 2000, statementTimeoutMs: 0, idleTimeoutMs: 60_000, preparedStatements: false });
    expect(set.listenUrl).toBe('postgres://app@db:5432/omsorg');
    for (const [name, bad] of [['DATABASE_POOL_SIZE', '0'], ['DATABASE_POOL_SIZE', 'ten'], ['DATABASE_CONNECT_TIMEOUT_MS', '-1'], ['DATABASE_IDLE_TIMEOUT_MS', '1.5'], ['DATABASE_PREPARED_STATEMENTS', 'ja']] as const) {
      expect(() => readConfig({ ...url, [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(name));
    }
    expect(() => readConfig({ EMBEDDED: '1', DATABASE_LISTEN_URL: 'postgres://db/x' })).toThrow(/DATABASE_LISTEN_URL is set but DATABASE_URL is not/);
  });
});

describe('the identity provider (OIDC_*, issue 29)', () => {
  const card = { EMBEDDED: '1', TRUST_ANCHORS: '/etc/siths/root.pem', REQUIRED_POLICIES: TEST_LOA3_POLICY_OID };
  it('none without OIDC_ISSUER; with it the client, the HSA-ID claim, acr levels and the lowest level, with defaults', () => {
    expect(readConfig(card).oidc).toBeUndefined();
    const oidc = readConfig({ ...card, OIDC_ISSUER: 'https://idp.inera.se/oidc', OIDC_CLIENT_ID: 'omsorg', OIDC_CLIENT_SECRET: 's3cret', OIDC_NAME: 'SITHS eID' }).oidc;
    expect(oidc).toMatchObject({ issuer: 'https://idp.inera.se/oidc', clientId: 'omsorg', clientSecret: 's3cret', name: 'SITHS eID', hsaIdClaim: 'employeeHsaId', minLoa: 2, scope: 'openid profile', allowHttp: false });
    expect(oidc?.acrLoa['http://id.elegnamnden.se/loa/1.0/loa3']).toBe(3);
    const custom = readOidc({ OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET_FILE: '/run/secret', OIDC_ACR_LOA: 'urn:a=2, urn:b=3', OIDC_MIN_LOA: '3', OIDC_HSA_ID_CLAIM: 'hsaId' }, () => 'from-file\n');
    expect(custom).toMatchObject({ clientSecret: 'from-file', acrLoa: { 'urn:a': 2, 'urn:b': 3 }, minLoa: 3, hsaIdClaim: 'hsaId', allowHttp: true });
  });

  it('refuses what cannot work, saying what is wrong', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ OIDC_CLIENT_ID: 'x' }, /OIDC_CLIENT_ID is set but OIDC_ISSUER is not/],
      [{ OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' }, /must be https/],
      [{ OIDC_ISSUER: 'https://idp.example' }, /OIDC_CLIENT_ID must be set/],
      [{ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x' }, /OIDC_CLIENT_SECRET/],
      [{ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y', OIDC_ACR_LOA: 'urn:a=7' }, /OIDC_ACR_LOA/],
      [{ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y', OIDC_MIN_LOA: 'hög' }, /OIDC_MIN_LOA/],
    ];
    for (const [env, message] of bad) expect(() => readConfig({ ...card, ...env })).toThrow(message);
    expect(() => readConfig({ EMBEDDED: '1', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' })).toThrow(/TRUST_ANCHORS/);
  });
});

describe('HTTP limits and trusted proxies (issue 25)', () => {
  it('defaults bound header, request, keep-alive and idle time and connections per address; no proxy is trusted', () => {
    const config = readConfig({ EMBEDDED: '1' });
    expect(config.httpLimits).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 120_000,
      keepAliveTimeoutMs: 30_000,
      idleTimeoutMs: 90_000,
      connectionsPerAddress: 1_000,
      maxConnections: 0,
      eventStreamsPerSession: 4,
    });
    expect(config.trustedProxies).toEqual([]);
  });

  it('reads each setting, refuses nonsense, and takes TRUSTED_PROXIES (or TRUST_PROXY) as addresses and CIDR ranges', () => {
    const config = readConfig({ EMBEDDED: '1', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_CONNECTIONS_PER_ADDRESS: '50', TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16, fd00::/8' });
    expect(config.httpLimits).toMatchObject({ headersTimeoutMs: 5_000, connectionsPerAddress: 50 });
    expect(config.trustedProxies).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']);
    expect(readConfig({ EMBEDDED: '1', TRUST_PROXY: '127.0.0.1' }).trustedProxies).toEqual(['127.0.0.1']);
    expect(() => readConfig({ EMBEDDED: '1', HTTP_HEADERS_TIMEOUT_MS: '0' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS must be a whole number/);
    expect(() => readConfig({ EMBEDDED: '1', HTTP_HEADERS_TIMEOUT_MS: '200000', HTTP_REQUEST_TIMEOUT_MS: '100000' })).toThrow(/must not exceed/);
    expect(() => readConfig({ EMBEDDED: '1', TRUSTED_PROXIES: 'proxy.kommun.se' })).toThrow(/not an address or CIDR/);
    expect(() => readConfig({ EMBEDDED: '1', TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/not an address or CIDR/);
  });

  it('password + one-time code: SMS gateway, Yubico validation (all three or none) and the level, secrets never in the message', () => {
    expect(readConfig({ EMBEDDED: '1' }).passwordLogin).toEqual({ loa: 2 });
    const gateway = 'http://127.0.0.1:13013/cgi-bin/sendsms?username=omsorg&password=hemligt';
    const yubico = { YUBICO_VALIDATION_URL: 'https://api.yubico.com/wsapi/2.0/verify', YUBICO_CLIENT_ID: '4711', YUBICO_API_KEY: 'c2VjcmV0a2V5MTIzNA==' };
    expect(readConfig({ EMBEDDED: '1', SMS_GATEWAY_URL: gateway, SMS_GATEWAY_FROM: 'Omsorg', ...yubico, PASSWORD_LOGIN_LOA: '2' }).passwordLogin).toEqual({
      sms: { url: gateway, from: 'Omsorg' },
      yubico: { url: yubico.YUBICO_VALIDATION_URL, clientId: '4711', apiKey: yubico.YUBICO_API_KEY },
      loa: 2,
    });
    expect(() => readConfig({ EMBEDDED: '1', YUBICO_CLIENT_ID: '4711' })).toThrow(/go together/);
    expect(() => readConfig({ EMBEDDED: '1', ...yubico, YUBICO_API_KEY: 'inte base64!' })).toThrow(/YUBICO_API_KEY must be base64/);
    expect(() => readConfig({ EMBEDDED: '1', PASSWORD_LOGIN_LOA: '4' })).toThrow(/PASSWORD_LOGIN_LOA/);
    const bad = (() => {
      try {
        readConfig({ EMBEDDED: '1', SMS_GATEWAY_URL: 'ftp://x?password=hemligt' });
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(bad).toMatch(/SMS_GATEWAY_URL must be an http\(s\) URL/);
    expect(bad).not.toMatch(/hemligt/);
  });
});
