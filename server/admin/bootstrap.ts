import { AppFailure, swedishDate } from '#contract';
import type { Db } from '../db/types';
import { addPerson, grant, personById } from './grants';

/**
 * The first administrator of a new installation (`npm run admin -- bootstrap`, README): the only
 * permission ever made outside the administration UI. Creates the provider organisation (and its
 * units) when the database has none of that name, adds the person by HSA-ID, and grants her
 * it_contact for the whole organisation from today, in force at once (there is no second
 * administrator yet to confirm it). Refused once the organisation has two administrators: from
 * then on, grants are made in the UI, where they are four-eyed. Every bootstrap is in the history.
 */
/**
 * Two: a new administrator needs a second one's confirmation (four-eyes), so an installation
 * starts with two; the third and every later one is granted and confirmed in the UI.
 */
const MAX_BOOTSTRAPPED = 2;

export interface BootstrapInput {
  organisation: string;
  municipality: string;
  units: { name: string; serviceType: 'hemtjanst' | 'daglig_verksamhet' }[];
  person: { hsaId: string; givenName: string; familyName: string; title: string };
}

export interface BootstrapResult {
  organisationId: string;
  staffId: string;
  grantId: string;
  createdOrganisation: boolean;
}

export async function bootstrapAdministrator(db: Db, input: BootstrapInput, now: Date): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    let createdOrganisation = false;
    let { rows } = await tx.query<{ id: string }>('SELECT id FROM organisations WHERE name = $1', [input.organisation]);
    if (!rows[0]) {
      ({ rows } = await tx.query<{ id: string }>('INSERT INTO organisations (name, municipality) VALUES ($1, $2) RETURNING id', [input.organisation, input.municipality]));
      createdOrganisation = true;
    }
    const organisationId = rows[0]!.id;
    const { rows: admins } = await tx.query(
      `SELECT 1 FROM role_grants WHERE organisation_id = $1 AND role = 'it_contact' AND ended_at IS NULL
          AND (valid_to IS NULL OR valid_to >= $2::date)`,
      [organisationId, swedishDate(now)],
    );
    if (admins.length >= MAX_BOOTSTRAPPED) throw new AppFailure('CONFLICT', 'Organisationen har redan administratörer: nya behörigheter ges i administrationen.');
    for (const unit of input.units) {
      await tx.query('INSERT INTO units (organisation_id, name, service_type) VALUES ($1, $2, $3) ON CONFLICT (organisation_id, name) DO NOTHING', [
        organisationId,
        unit.name,
        unit.serviceType,
      ]);
    }
    const { rows: known } = await tx.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [input.person.hsaId]);
    let staffId = known[0]?.id;
    if (staffId) {
      const person = await personById(tx, staffId);
      if (person?.organisation_id !== organisationId) throw new AppFailure('CONFLICT', 'HSA-id:t tillhör en person utanför organisationen.');
    } else {
      staffId = (await addPerson(tx, null, organisationId, input.person, now)).id;
    }
    const g = await grant(tx, null, organisationId, { staffId, role: 'it_contact', unitId: null, validFrom: swedishDate(now), validTo: null }, now);
    return { organisationId, staffId, grantId: g.id, createdOrganisation };
  });
}
