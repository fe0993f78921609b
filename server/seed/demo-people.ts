import type { ServiceKind, StaffRole } from '#contract';

/**
 * The demo organisation: who works there and whom they care for. Fictional people only.
 * Tools issue demo smart cards for `demoStaff` (HSA-ID, name, title), so keep this module data only.
 *
 * Client personnummer are Skatteverket's published test numbers (testpersonnummer, as listed in
 * e.g. KentorIT/PU-Adapter TestData/Testpersonnummer.cs): registered in the population register's
 * test environment and never a real person. Every one passes the Luhn check (asserted in
 * test/unit/server/seed.test.ts).
 */
export const demoOrganisation = { name: 'Omsorgsbolaget Väst AB', municipality: 'Göteborg' } as const;

export type DemoUnitKey = 'hemtjanst' | 'daglig';

/** Each unit's main kind (serviceType) and every kind of service it provides (migration 0024). */
export const demoUnits: Record<DemoUnitKey, { name: string; serviceType: 'hemtjanst' | 'daglig_verksamhet'; serviceKinds: ServiceKind[] }> = {
  // The home-care unit also runs a short-term home (korttidsvistelse): its assignments take presence.
  hemtjanst: { name: 'Hemtjänst Majorna', serviceType: 'hemtjanst', serviceKinds: ['hemtjanst', 'korttidsvistelse'] },
  daglig: { name: 'Daglig verksamhet Hisingen', serviceType: 'daglig_verksamhet', serviceKinds: ['daglig_verksamhet'] },
};

export interface DemoPermission {
  unit: DemoUnitKey;
  validFrom: string;
  /** Inclusive last day; absent = until further notice. */
  validTo?: string;
}

export interface DemoStaffMember {
  hsaId: string;
  givenName: string;
  familyName: string;
  /** Titel, shown with every journal entry. */
  title: string;
  role: StaffRole;
  /** Employed by the provider (true) or by the municipality (case officers). */
  provider: boolean;
  permissions: DemoPermission[];
}

const since = '2025-01-01';

/** Provider staff have HSA-IDs under the provider's root; the case officer under the municipality's. */
export const demoStaff: readonly DemoStaffMember[] = [
  { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', title: 'Undersköterska', role: 'staff', provider: true, permissions: [{ unit: 'hemtjanst', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000102', givenName: 'Mohammed', familyName: 'Haddad', title: 'Vårdbiträde', role: 'staff', provider: true, permissions: [{ unit: 'hemtjanst', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', title: 'Undersköterska', role: 'superuser', provider: true, permissions: [{ unit: 'hemtjanst', validFrom: since }, { unit: 'daglig', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000104', givenName: 'Elin', familyName: 'Johansson', title: 'Stödpedagog', role: 'staff', provider: true, permissions: [{ unit: 'daglig', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000105', givenName: 'Jonas', familyName: 'Berg', title: 'Handledare', role: 'staff', provider: true, permissions: [{ unit: 'daglig', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm', title: 'Enhetschef', role: 'manager', provider: true, permissions: [{ unit: 'hemtjanst', validFrom: since }, { unit: 'daglig', validFrom: since }] },
  { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', title: 'IT-kontaktperson', role: 'it_contact', provider: true, permissions: [{ unit: 'hemtjanst', validFrom: since }, { unit: 'daglig', validFrom: since }] },
  // Moved from daily activities to home care: the ended permission stays on record.
  { hsaId: 'SE2321000131-P000000000108', givenName: 'Leila', familyName: 'Karimi', title: 'Vårdbiträde', role: 'staff', provider: true, permissions: [{ unit: 'daglig', validFrom: since, validTo: '2025-06-30' }, { unit: 'hemtjanst', validFrom: '2025-07-01' }] },
  // A second IT contact person: four-eyes (one administrator grants another, a second confirms) can complete in the demo.
  { hsaId: 'SE2321000131-P000000000109', givenName: 'Lena', familyName: 'Ström', title: 'IT-kontaktperson', role: 'it_contact', provider: true, permissions: [] },
  { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek', title: 'Biståndshandläggare', role: 'case_officer', provider: false, permissions: [] },
];

/** The IT contact person grants the other permissions (their own are the bootstrap grant). */
export const demoGrantorHsaId = 'SE2321000131-P000000000107';

export interface DemoClient {
  personnummer: string;
  givenName: string;
  familyName: string;
  unit: DemoUnitKey;
}

export const demoClients: readonly DemoClient[] = [
  { personnummer: '191212121212', givenName: 'Tolvan', familyName: 'Tolvansson', unit: 'hemtjanst' },
  { personnummer: '193012299263', givenName: 'Margareta', familyName: 'Andersson', unit: 'hemtjanst' },
  { personnummer: '193008077723', givenName: 'Ingrid', familyName: 'Karlsson', unit: 'hemtjanst' },
  { personnummer: '193805028432', givenName: 'Gösta', familyName: 'Nilsson', unit: 'hemtjanst' },
  { personnummer: '194001079120', givenName: 'Birgitta', familyName: 'Eriksson', unit: 'hemtjanst' },
  { personnummer: '194201199124', givenName: 'Elsa', familyName: 'Larsson', unit: 'hemtjanst' },
  { personnummer: '194408139089', givenName: 'Gunnel', familyName: 'Olsson', unit: 'hemtjanst' },
  { personnummer: '195312242083', givenName: 'Kerstin', familyName: 'Persson', unit: 'hemtjanst' },
  { personnummer: '195711212893', givenName: 'Lars', familyName: 'Svensson', unit: 'hemtjanst' },
  { personnummer: '195712302842', givenName: 'Marianne', familyName: 'Gustafsson', unit: 'hemtjanst' },
  { personnummer: '196107293059', givenName: 'Bengt', familyName: 'Pettersson', unit: 'hemtjanst' },
  { personnummer: '196108193175', givenName: 'Rolf', familyName: 'Jonsson', unit: 'hemtjanst' },
  { personnummer: '196108283166', givenName: 'Eva', familyName: 'Jansson', unit: 'hemtjanst' },
  { personnummer: '196109072972', givenName: 'Kjell', familyName: 'Hansson', unit: 'hemtjanst' },
  { personnummer: '198705212382', givenName: 'Sofia', familyName: 'Bengtsson', unit: 'daglig' },
  { personnummer: '199006022397', givenName: 'Erik', familyName: 'Jönsson', unit: 'daglig' },
  { personnummer: '199107172380', givenName: 'Emma', familyName: 'Lindberg', unit: 'daglig' },
  { personnummer: '199312172381', givenName: 'Hanna', familyName: 'Jakobsson', unit: 'daglig' },
  { personnummer: '199610202385', givenName: 'Ida', familyName: 'Magnusson', unit: 'daglig' },
  { personnummer: '199705162387', givenName: 'Amanda', familyName: 'Lindström', unit: 'daglig' },
  { personnummer: '200001052380', givenName: 'Wilma', familyName: 'Axelsson', unit: 'daglig' },
];
