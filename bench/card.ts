/**
 * `npm run bench -- card [runs]`: "select the PKCS#15 application + read the authentication
 * certificate", our stack against OpenSC's `pkcs15-tool --read-certificate`, on the same software
 * card in the same vpcd reader of the same pcscd, alternating run by run.
 *
 * Per side: the APDUs the card saw (counted by the card itself), the card-side span (first APDU in
 * → last answer out, the same yardstick for both, so neither side's logging or start-up counts)
 * and our in-process time (readCertificate: connect, APDUs, disconnect). OpenSC's is timed as a
 * whole process (start, context, bind, read, exit) and card-side; its debug log is not used for
 * timing because logging slows it. Goals: ours in-process ≤ OpenSC whole process, and APDU count ≤
 * OpenSC's. The machine calibration is printed beside the figures.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { CardService } from '../native/card-service';
import { PcscReaders } from '../native/pcsc/pcsc-readers';
import { insertCard } from '../native/softcard/worker-card';
import { pkcs15Tool } from '../test/support/opensc';
import pcscdSetup from '../test/support/pcscd-setup';
import { makeTestCard } from '../test/support/test-certs';
import { calibrationMs, percentile, report } from './report';

const BENCH = 'card';
const READER = { name: 'Virtual PCD 00 00', port: 35963 };

export async function run(args: string[]): Promise<void> {
  const runs = Math.max(5, Number(args[0] ?? 15));
  const stopPcscd = await pcscdSetup();
  const file = await makeTestCard({ alg: 'RSA-2048' });
  const readers = new PcscReaders();
  const service = new CardService(readers);
  const unsubscribe = service.subscribe(() => undefined); // starts the monitor, so snapshot() sees the card
  // The card runs in a worker thread of its own (never on the thread that closes PC/SC readers) and
  // logs its commands: one operation's APDU count and the span from its first command to its last answer.
  const vpcd = await insertCard(file, { port: READER.port, log: true });
  const measure = async (op: () => Promise<unknown>): Promise<{ ms: number; apdus: number; spanMs: number }> => {
    const before = (await vpcd.commands()).length;
    const t0 = performance.now();
    await op();
    const ms = performance.now() - t0;
    const mine = (await vpcd.commands()).slice(before);
    return { ms, apdus: mine.length, spanMs: mine.length ? mine.at(-1)!.outAt - mine[0]!.inAt : 0 };
  };
  try {
    for (const end = Date.now() + 5000; !service.snapshot().some((r) => r.name === READER.name && r.cardPresent); ) {
      if (Date.now() > end) throw new Error('the card did not appear in the vpcd reader');
      await new Promise((r) => setTimeout(r, 20));
    }
    const certDer = new X509Certificate(file.auth.certificateChainPem[0]!).raw;
    const id = createHash('sha1').update(new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

    const ours: { ms: number; apdus: number; spanMs: number }[] = [];
    const opensc: { ms: number; apdus: number; spanMs: number }[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const o = await measure(async () => {
        const der = await service.readCertificate(READER.name);
        if (!Buffer.from(der).equals(certDer)) throw new Error('our stack read another certificate');
      });
      const s = await measure(async () => {
        const r = await pkcs15Tool(['--read-certificate', id]);
        if (!r.pem[0]?.der.equals(certDer)) throw new Error(`OpenSC read another certificate: ${r.stderr}`);
      });
      if (i === 0) continue; // one warm-up of each (file cache, pcscd, our code's first run)
      ours.push(o);
      opensc.push(s);
    }
    const p50 = (xs: { ms: number; apdus: number; spanMs: number }[], k: 'ms' | 'apdus' | 'spanMs') => percentile(xs.map((x) => x[k]), 50);
    const extra = { runs, card: 'RSA-2048, t1-standard', reader: 'vpcd via pcscd' };
    report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
    report(BENCH, 'ours_in_process_ms_p50', p50(ours, 'ms'), 'ms', extra);
    report(BENCH, 'ours_card_span_ms_p50', p50(ours, 'spanMs'), 'ms', extra);
    report(BENCH, 'ours_apdus', p50(ours, 'apdus'), 'APDUs', extra);
    report(BENCH, 'opensc_process_ms_p50', p50(opensc, 'ms'), 'ms', { ...extra, tool: 'pkcs15-tool --no-cache --read-certificate' });
    report(BENCH, 'opensc_card_span_ms_p50', p50(opensc, 'spanMs'), 'ms', extra);
    report(BENCH, 'opensc_apdus', p50(opensc, 'apdus'), 'APDUs', extra);
    report(BENCH, 'ratio_ours_in_process_vs_opensc_process', p50(ours, 'ms') / p50(opensc, 'ms'), 'x', { goal: '<= 1' });
    report(BENCH, 'ratio_ours_vs_opensc_card_span', p50(ours, 'spanMs') / p50(opensc, 'spanMs'), 'x');
    report(BENCH, 'ratio_ours_vs_opensc_apdus', p50(ours, 'apdus') / p50(opensc, 'apdus'), 'x', { goal: '<= 1' });
  } finally {
    unsubscribe();
    await vpcd.close();
    await service.close();
    await stopPcscd();
  }
}
