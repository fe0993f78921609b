import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './stop-child';

/**
 * Vitest global setup for the integration and e2e projects: a real pcscd with the vsmartcard
 * vpcd driver, two virtual readers ("Virtual PCD 00 00" on TCP 35963 and "Virtual PCD 00 01"
 * on 35964 — vpcd gives each reader line two slots, at CHANNELID and CHANNELID+1).
 *
 * - writes its own reader.conf.d (so CI needs nothing but the apt packages) and starts
 *   `pcscd --foreground -c <that dir>` when no pcscd runs, or restarts one that lacks the readers;
 * - waits until PC/SC lists both readers (typically < 1 s);
 * - adds a loopback route with `quickack` for 127.0.0.2 and tells the software card to connect
 *   there (VPCD_HOST): vpcd writes the frame length and the APDU separately, and Nagle + delayed
 *   ACK would otherwise cost ~40 ms per APDU;
 * - stops pcscd at the end only if it started it and no other test run still uses it.
 */
const STATE_DIR = join(tmpdir(), 'omsorg-pcscd');
const CONF_DIR = join(STATE_DIR, 'reader.conf.d');
const LEASES = join(STATE_DIR, 'leases');
const PID_FILE = '/run/pcscd/pcscd.pid';
const VPCD_LIB = ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so', '/usr/lib/pcsc/drivers/serial/libifdvpcd.so.0.8'];
export const READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'];
const QUICKACK_HOST = '127.0.0.2';

const CONF = `# Written by test/support/pcscd-setup.ts: vsmartcard vpcd, slots on TCP 35963 and 35964.
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      %LIB%
CHANNELID    0x8C7B
`;

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}


function runningPcscd(): number | undefined {
  try {
    const pid = parseInt(readFileSync(PID_FILE, 'utf8').trim(), 10);
    if (pid > 0 && alive(pid) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pcscd') return pid;
  } catch {
    // no pid file
  }
  return undefined;
}

/** Lists PC/SC readers in a short-lived child (keeps the addon's threads out of vitest's main process). */
function listReaders(): string[] {
  const script = `
    const a = require('pcsclite/build/Release/pcsclite.node');
    const EE = require('node:events').EventEmitter;
    for (const k of Object.getOwnPropertyNames(EE.prototype)) if (!(k in a.PCSCLite.prototype)) a.PCSCLite.prototype[k] = EE.prototype[k];
    let p; try { p = new a.PCSCLite(); } catch (e) { console.log('[]'); process.exit(0); }
    p.start((err, buf) => { console.log(JSON.stringify(err ? [] : String(buf || '').split('\\u0000').filter(Boolean))); p.close(); process.exit(0); });
  `;
  try {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: process.cwd(), timeout: 3000, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
  } catch {
    return [];
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

function quickackRoute(): boolean {
  const ip = which('ip');
  if (!ip) return false;
  try {
    execFileSync(ip, ['route', 'replace', 'local', QUICKACK_HOST, 'dev', 'lo', 'table', 'local', 'quickack', '1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const pcscd = which('pcscd');
  const lib = VPCD_LIB.find((p) => existsSync(p));
  if (!pcscd || !lib)
    throw new Error(
      `PC/SC test setup: ${!pcscd ? 'pcscd' : 'the vpcd driver (libifdvpcd.so)'} is not installed. ` +
        'Install the apt packages: sudo apt-get install pcscd libpcsclite-dev vsmartcard-vpcd (pcsc-tools optional).',
    );
  mkdirSync(CONF_DIR, { recursive: true });
  mkdirSync(LEASES, { recursive: true });
  writeFileSync(join(CONF_DIR, 'vpcd'), CONF.replace('%LIB%', lib));
  writeFileSync(join(LEASES, String(process.pid)), '');

  const haveReaders = (): boolean => {
    const r = listReaders();
    return READERS.every((n) => r.includes(n));
  };

  let startedPid: number | undefined;
  const existing = runningPcscd();
  if (existing === undefined || !haveReaders()) {
    if (existing !== undefined) {
      // A pcscd without our readers (another config): restart it with ours.
      process.kill(existing, 'SIGTERM');
      await waitFor(() => !alive(existing), 3000);
    }
    const log = openSync(join(STATE_DIR, 'pcscd.log'), 'a');
    const child = spawn(pcscd, ['--foreground', '-c', CONF_DIR], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    startedPid = child.pid;
    writeFileSync(join(STATE_DIR, 'started-by'), `${process.pid} ${startedPid}\n`);
    if (!(await waitFor(haveReaders, 5000)))
      throw new Error(`PC/SC test setup: pcscd started but the vpcd readers did not appear; see ${join(STATE_DIR, 'pcscd.log')}`);
  }

  if (quickackRoute()) process.env.VPCD_HOST = QUICKACK_HOST;

  return async () => {
    rmSync(join(LEASES, String(process.pid)), { force: true });
    if (startedPid === undefined || !alive(startedPid)) return;
    const others = readdirSync(LEASES).filter((f) => Number(f) !== process.pid && alive(Number(f)));
    if (others.length > 0) return; // another test run still uses it
    process.kill(startedPid, 'SIGTERM');
    await waitFor(() => !alive(startedPid!), 3000);
  };
}
