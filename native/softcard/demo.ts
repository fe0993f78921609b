import { AppFailure, type StaffRole } from '#contract';
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

/** A demo person whose card file the built-in demo reader can hold. */
export interface DemoCardHolder {
  /** HSA-ID. */
  id: string;
  name: string;
  title: string;
  role: StaffRole;
  cardFile: string;
}

/**
 * DEMO ONLY: the built-in demo reader of `npm start` with the embedded server, empty at first;
 * the login screen puts a demo person's card in it (`insert`) or pulls it (`insert(null)`).
 */
export function openDemoReaderFor(people: readonly DemoCardHolder[]): {
  reader: DemoInProcessReader;
  people: readonly DemoCardHolder[];
  inserted(): string | null;
  insert(id: string | null): Promise<void>;
} {
  const reader = new DemoInProcessReader();
  let inserted: string | null = null;
  return {
    reader,
    people,
    inserted: () => inserted,
    async insert(id) {
      if (id === null) {
        reader.remove();
        inserted = null;
        return;
      }
      const person = people.find((p) => p.id === id);
      if (!person) throw new AppFailure('NOT_FOUND', 'Det finns inget demokort för den personen.');
      const card = await openCardFile(person.cardFile);
      inserted = id;
      reader.insert(card);
    },
  };
}
