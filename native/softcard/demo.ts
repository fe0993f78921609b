import { DemoInProcessReader } from './in-process';
import { openCardFile } from './index';

/**
 * DEMO ONLY: the entry of the separate demo bundle (dist/main/softcard-demo.cjs, built by
 * scripts/build-electron.ts). The production main bundle never contains the software card; the
 * workstation loads this module only when demo mode asks for it (DEMO_CARD=<card file>).
 */
export async function openDemoReader(cardFile: string): Promise<DemoInProcessReader> {
  const reader = new DemoInProcessReader();
  reader.insert(await openCardFile(cardFile));
  return reader;
}
