/**
 * `npm run bench -- pcsc-host [runs]`: what PC/SC in a process of its own (native/pcsc/host) costs.
 * "Read the authentication certificate" (connect, 11 APDUs, disconnect) on the same software card
 * in the same vpcd reader of the same pcscd, alternating run by run: `PcscReaders` on this thread
 * against `HostedReaders` (one IPC round trip per APDU to the host process). Also the time from
 * killing the host to the card being readable again through a new one. The card runs in a worker
 * thread of its own (insertCardFile). The machine calibration is printed beside the figures.
 */
import { CardService } from '../native/card-service';
import { HostedReaders } from '../native/pcsc/host/hosted-readers';
import { PcscReaders } from '../native/pcsc/pcsc-readers';
import { insertCardFile } from '../native/softcard/worker-card';
import pcscdSetup from '../test/support/pcscd-setup';
import { writeTestCard } from '../test/support/test-certs';
import { calibrationMs, percentile, report } from './report';

const BENCH = 'pcsc-host';
const READER = 'Virtual PCD 00 00';

async function until(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function run(args: string[]): Promise<void> {
  const runs = Math.min(200, Math.max(5, Number(args[0] ?? 25)));
  const stopPcscd = await pcscdSetup();
  const card = await insertCardFile(await writeTestCard({ alg: 'RSA-2048' }), { port: 35963 });
  const local = new PcscReaders();
  const hosted = new HostedReaders();
  try {
    const sides = { local: new CardService(local), hosted: new CardService(hosted) };
    await until(() => hosted.readers().some((r) => r.name === READER && r.cardPresent), 30_000);
    await local.listReaders(); // starts its monitor
    await until(() => local.monitor.readers().some((r) => r.name === READER && r.cardPresent), 30_000);
    for (const s of Object.values(sides)) await s.readCertificate(READER); // warm-up: EF.DIR, profile hints
    const times: Record<keyof typeof sides, number[]> = { local: [], hosted: [] };
    for (let i = 0; i < runs; i++) {
      for (const side of (i % 2 ? ['hosted', 'local'] : ['local', 'hosted']) as (keyof typeof sides)[]) {
        const t0 = performance.now();
        await sides[side].readCertificate(READER);
        times[side].push(performance.now() - t0);
      }
    }
    const calibration = calibrationMs();
    for (const side of ['local', 'hosted'] as const) {
      report(BENCH, `read_certificate_${side}_ms_p50`, percentile(times[side], 50), 'ms', { runs, calibrationMs: calibration });
      report(BENCH, `read_certificate_${side}_ms_p95`, percentile(times[side], 95), 'ms', { runs });
    }
    // Kill the host: how long until the card reads again through a new one (restart 0.5 s + start + enumeration).
    const t0 = performance.now();
    process.kill(hosted.pid!, 'SIGKILL');
    await until(() => hosted.readers().length === 0, 10_000);
    await until(() => hosted.readers().some((r) => r.name === READER && r.cardPresent), 30_000);
    await sides.hosted.readCertificate(READER);
    report(BENCH, 'host_killed_to_card_read_ms', performance.now() - t0, 'ms');
  } finally {
    await hosted.close();
    await local.close();
    await card.close();
    await stopPcscd();
  }
}
