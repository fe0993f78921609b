import { createRequire } from 'node:module';
import type { CardStatus } from '#contract';
import { CardService, HostedReaders, type CardMonitor, type CardReaders, type DigestsByHash, type HashAlgorithm, type SignResult } from '../../native';
import { CombinedReaders } from '../../native/combined-readers';
import { Pkcs11Tokens } from '../../native/pkcs11/pkcs11-tokens';
import type { DemoCardHolder } from '../../native/softcard/demo';

/**
 * What the session needs from the card stack (native/): watch readers, read the PIN counter,
 * sign. Backed by real PC/SC (real cards, or the software card in the vpcd reader) or, for a demo
 * on a machine without pcscd/vpcd, by the in-process software card (DEMO ONLY).
 */
export interface CardAccess {
  readonly monitor: CardMonitor;
  pinStatus(reader: string): Promise<{ triesLeft?: number; blocked: boolean }>;
  /** VERIFY + sign with the authentication key (given digests per hash, the key chooses); the card is reset afterwards and `pin` wiped. */
  sign(reader: string, pin: Uint8Array, hash: Uint8Array | DigestsByHash, hashAlg: HashAlgorithm): Promise<SignResult>;
  /** The authentication certificate (DER), without a PIN (administration: a person added from her card). Absent: not offered. */
  readCertificate?(reader: string): Promise<Uint8Array>;
  /** DEMO ONLY: the embedded demo's built-in reader beside PC/SC, whose card the login screen chooses. */
  demo?: DemoReaderControl;
  close(): Promise<void>;
}

export interface DemoReaderControl {
  status(): NonNullable<CardStatus['demo']>;
  /** Puts demo person `id`'s card in the demo reader; null pulls it. */
  insert(id: string | null): Promise<void>;
}

/**
 * `demo.module`: the demo bundle (dist/main/softcard-demo.cjs) when running bundled; from source
 * the software card's demo entry is imported directly.
 */
export type CardStackOption =
  /**
   * PC/SC, in a host process of its own (native/pcsc/host): this thread never calls into the
   * pcsclite addon. `host`: the host's bundle (dist/main/pcsc-host.cjs) when running bundled; from
   * source its bootstrap is started.
   */
  | { kind: 'pcsc'; host?: string }
  | { kind: 'demo'; cardFile: string; module?: string }
  /** The card through a PKCS#11 module (Net iD on Windows; SoftHSM2 in tests), by the module's path (PKCS11_MODULE). */
  | { kind: 'pkcs11'; module: string }
  /** DEMO ONLY: PC/SC and, beside its readers, the built-in demo reader holding the card of whichever demo person the login screen picks (`npm start` with the embedded server). */
  | { kind: 'pcsc-and-demo'; people: DemoCardHolder[]; pin: string; module?: string; host?: string };

/** The file `npm start` writes for Electron (DEMO_READER): the demo people's cards and their PIN. */
export type DemoReaderFile = { people: DemoCardHolder[]; pin: string };

/** native/softcard/demo.ts, named through a variable so that no bundler pulls the software card into the main bundle. */
const DEMO_SOURCE = '../../native/softcard/demo';

const pcscInItsOwnProcess = (host: string | undefined): HostedReaders => new HostedReaders(host ? { entry: host } : {});

export async function openCardAccess(option: CardStackOption): Promise<CardAccess> {
  if (option.kind === 'pcsc') return cardAccessOver(pcscInItsOwnProcess(option.host));
  if (option.kind === 'pkcs11') {
    const tokens = await Pkcs11Tokens.open({ module: option.module });
    return { monitor: tokens, pinStatus: (r) => tokens.pinStatus(r), sign: (r, pin, hash, alg) => tokens.sign(r, pin, hash, alg), close: () => tokens.close() };
  }
  // The bundle is CommonJS and, packaged, lies inside app.asar: require() reads it there through
  // Electron's asar support, which the ES module loader's file URLs do not promise.
  const demo = (option.module ? createRequire(import.meta.url)(option.module) : await import(DEMO_SOURCE)) as typeof import('../../native/softcard/demo');
  if (option.kind === 'demo') return cardAccessOver(await demo.openDemoReader(option.cardFile));
  const builtIn = demo.openDemoReaderFor(option.people);
  return {
    ...cardAccessOver(new CombinedReaders(pcscInItsOwnProcess(option.host), builtIn.reader)),
    demo: {
      status: () => ({
        reader: builtIn.reader.readerName,
        pin: option.pin,
        people: builtIn.people.map(({ id, name, title, role }) => ({ id, name, title, role })),
        inserted: builtIn.inserted(),
      }),
      insert: (id) => builtIn.insert(id),
    },
  };
}

/** The session's view of a reader stack, through native's CardService (profiles, PIN rules). */
export function cardAccessOver(readers: CardReaders): CardAccess {
  const service = new CardService(readers);
  return {
    monitor: readers.monitor,
    pinStatus: (reader) => service.getPinStatus(reader),
    sign: (reader, pin, hash, alg) => service.sign(reader, pin, hash, alg),
    readCertificate: (reader) => service.readCertificate(reader),
    close: () => service.close(),
  };
}
