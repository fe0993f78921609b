import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as x509 from '../../server/auth/x509';
import { privateKeyToPem, type CertifiedKey } from '../../tools/pki/index';

/** A free loopback port (there is a short window before the responder binds it; good enough for a test). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** openssl's index.txt date: YYMMDDHHMMSSZ. */
const opensslDate = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/**
 * The real OpenSSL OCSP responder (`openssl ocsp -index … -port`), asked over loopback (OpenSSL
 * 3.0's `-port` takes no address, so it listens on every interface while the test runs), answering for
 * the certificates `ca` issued: those listed as good or revoked in its index, every other one
 * unknown. Signs with `signer` (the CA itself, or a delegated responder).
 */
export class OpensslOcspResponder {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ocsp-'));

  constructor(
    readonly port: number,
    private readonly ca: x509.X509Certificate,
    private readonly signer: CertifiedKey,
    private readonly entries: { certificate: x509.X509Certificate; status: 'good' | 'revoked' }[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    const index = this.entries.map(({ certificate, status }) =>
      [
        status === 'revoked' ? 'R' : 'V',
        opensslDate(certificate.notAfter),
        status === 'revoked' ? `${opensslDate(new Date(Date.now() - 3600_000))},keyCompromise` : '',
        certificate.serialNumber.toUpperCase(),
        'unknown',
        `/CN=${certificate.serialNumber}`,
      ].join('\t'),
    );
    writeFileSync(join(this.dir, 'index.txt'), index.join('\n') + '\n');
    writeFileSync(join(this.dir, 'index.txt.attr'), 'unique_subject = no\n');
    writeFileSync(join(this.dir, 'ca.pem'), this.ca.toString('pem') + '\n');
    writeFileSync(join(this.dir, 'signer.pem'), this.signer.cert.toString('pem') + '\n');
    writeFileSync(join(this.dir, 'signer.key.pem'), (await privateKeyToPem(this.signer.key)) + '\n', { mode: 0o600 });
    const child = spawn(
      'openssl',
      ['ocsp', '-index', 'index.txt', '-port', String(this.port), '-rsigner', 'signer.pem', '-rkey', 'signer.key.pem', '-CA', 'ca.pem', '-nmin', '10', '-ignore_err'],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    // OpenSSL says so on stderr once it listens.
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        output += b.toString();
        if (/waiting for OCSP client connections/i.test(output)) resolve();
      };
      child.stderr!.on('data', onData);
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`openssl ocsp exited ${code}: ${output}`)));
      setTimeout(() => reject(new Error(`openssl ocsp did not start: ${output}`)), 10_000).unref();
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
