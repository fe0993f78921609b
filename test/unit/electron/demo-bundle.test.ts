import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundlePath } from '../../../main/electron/bundle-paths';
import { openCardAccess } from '../../../main/session/card-access';
import { buildElectron } from '../../../scripts/build-electron';
import { writeTestCard } from '../../support/test-certs';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'electron-demo-build-'));
  await buildElectron(root);
}, 60_000);

describe('the software card and the production bundle', () => {
  it('the main bundle holds no software card (no SoftCard, no demo reader, no ECDSA signing code)', () => {
    const main = readFileSync(bundlePath(root, 'main'), 'utf8');
    for (const marker of ['SoftCard', 'DemoInProcessReader', 'buildImage', 'prehash']) expect(main).not.toContain(marker);
  });

  it('demo mode loads the separate demo bundle and puts the card file in a built-in reader', async () => {
    const demo = readFileSync(bundlePath(root, 'softcardDemo'), 'utf8');
    expect(demo).toContain('var SoftCard');
    const access = await openCardAccess({ kind: 'demo', cardFile: await writeTestCard({ alg: 'EC-P256' }), module: bundlePath(root, 'softcardDemo') });
    try {
      expect(access.monitor.readers()).toEqual([expect.objectContaining({ cardPresent: true })]);
      expect(await access.pinStatus(access.monitor.readers()[0]!.name)).toEqual({ triesLeft: 3, blocked: false });
    } finally {
      await access.close();
    }
  });
});
