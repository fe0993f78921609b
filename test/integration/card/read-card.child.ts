// Child: reads the certificate of the card in `Virtual PCD 00 00` through pcscd and prints its
// SHA-256 (or the error) as JSON. Run with execFileSync, so the parent's thread is blocked meanwhile.
import { createHash } from 'node:crypto';
import { CardService } from '../../../native/card-service';
import { PcscReaders } from '../../../native/pcsc/pcsc-readers';

const READER = 'Virtual PCD 00 00';
const service = new CardService(new PcscReaders());
const unsubscribe = service.subscribe(() => undefined);
const out: { sha256?: string; error?: string } = {};
try {
  for (const end = Date.now() + 5000; !service.snapshot().some((r) => r.name === READER && r.cardPresent); ) {
    if (Date.now() > end) throw new Error('no card in the reader');
    await new Promise((r) => setTimeout(r, 20));
  }
  out.sha256 = createHash('sha256').update(await service.readCertificate(READER)).digest('hex');
} catch (e) {
  out.error = (e as Error).message;
}
unsubscribe();
await service.close();
console.log(JSON.stringify(out));
process.exit(0);
