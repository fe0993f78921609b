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
    expect(demo).toMatch(/\bSoftCard=class\b/); // minified (scripts/build-electron.ts): names kept
    const access = await openCardAccess({ kind: 'demo', cardFile: await writeTestCard({ alg: 'EC-P256' }), module: bundlePath(root, 'softcardDemo') });
    try {
      expect(access.monitor.readers()).toEqual([expect.objectContaining({ cardPresent: true })]);
      expect(await access.pinStatus(access.monitor.readers()[0]!.name)).toEqual({ triesLeft: 3, blocked: false });
    } finally {
      await access.close();
    }
  });
});

describe('the embedded demo’s reader beside PC/SC (npm start without SERVER_URL)', () => {
  it('is empty at first, holds the card of the person chosen (its PIN status read through the demo bundle), and pulls it', async () => {
    const people = [
      { id: 'SE2321000131-P000000000107', name: 'Peter Svensson', title: 'IT-kontaktperson', role: 'it_contact' as const, cardFile: await writeTestCard({ alg: 'EC-P256' }) },
      { id: 'SE2321000131-P000000000101', name: 'Anna Lindqvist', title: 'Undersköterska', role: 'staff' as const, cardFile: await writeTestCard({ alg: 'RSA-2048' }) },
    ];
    const access = await openCardAccess({ kind: 'pcsc-and-demo', people, pin: '123456', module: bundlePath(root, 'softcardDemo') });
    try {
      const demoReader = () => access.monitor.readers().find((r) => r.name === 'Demo-läsare (in-process, DEMO ONLY)');
      expect(demoReader()).toEqual({ name: 'Demo-läsare (in-process, DEMO ONLY)', cardPresent: false });
      expect(access.demo!.status()).toEqual({
        reader: 'Demo-läsare (in-process, DEMO ONLY)',
        pin: '123456',
        people: people.map(({ id, name, title, role }) => ({ id, name, title, role })),
        inserted: null,
      });
      await access.demo!.insert('SE2321000131-P000000000101');
      expect(demoReader()?.cardPresent).toBe(true);
      expect(access.demo!.status().inserted).toBe('SE2321000131-P000000000101');
      expect(await access.pinStatus('Demo-läsare (in-process, DEMO ONLY)')).toEqual({ triesLeft: 3, blocked: false });
      await expect(access.demo!.insert('SE0000000000-P000000000999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await access.demo!.insert(null);
      expect(demoReader()?.cardPresent).toBe(false);
    } finally {
      await access.close();
    }
  });
});
