import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
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
 * The real OpenSSL OCSP responder, answering for the certificates `ca` issued: those listed as good
 * or revoked in its index, every other one unknown; it signs with `signer` (the CA itself, or a
 * delegated responder). OpenSSL 3.0's own server (`openssl ocsp -port`) cannot be bound to an
 * address and would listen on every interface, so this listens on 127.0.0.1 only and hands each
 * request to `openssl ocsp -index … -reqin … -respout …`: OpenSSL decodes the request, decides and
 * signs the answer; Node only carries the bytes.
 */
export class OpensslOcspResponder {
  private server: Server | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ocsp-'));
  private requests = 0;

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
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = ++this.requests;
        const reqFile = join(this.dir, `req-${n}.der`);
        const respFile = join(this.dir, `resp-${n}.der`);
        writeFileSync(reqFile, Buffer.concat(chunks));
        execFile(
          'openssl',
          ['ocsp', '-index', 'index.txt', '-rsigner', 'signer.pem', '-rkey', 'signer.key.pem', '-CA', 'ca.pem', '-nmin', '10', '-reqin', reqFile, '-respout', respFile],
          { cwd: this.dir },
          (error) => {
            if (error) {
              res.writeHead(500).end();
              return;
            }
            res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(readFileSync(respFile));
          },
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
