// Run in a child process with PCSCLITE_CSOCK_NAME pointing at nothing: PC/SC as on a machine
// where the smart-card service is not running, without stopping the shared pcscd.
import { AppFailure } from '#contract';
import { CardService } from '../../../native/card-service';
import { PcscReaders } from '../../../native/pcsc/pcsc-readers';

const service = new CardService(new PcscReaders({ pollMs: 0 }));
const events: string[] = [];
service.subscribe((e) => events.push(e.type));
const out: Record<string, unknown> = {};
for (const [k, f] of [
  ['listReaders', () => service.listReaders()],
  ['readCertificate', () => service.readCertificate('Virtual PCD 00 00')],
] as const) {
  try {
    await f();
    out[k] = 'ok';
  } catch (e) {
    out[k] = e instanceof AppFailure ? { code: e.code, message: e.message } : String(e);
  }
}
out.events = events;
await service.close();
console.log(JSON.stringify(out));
process.exit(0);
