import { randomUUID } from 'node:crypto';
import { swedishDate } from '#contract';
import type { Queryable } from '../db/types';
import { demoOrganisation, demoUnits, type DemoUnitKey } from '../seed/demo-people';
import { demoDayNoteTexts, demoJournalTexts, demoUnitDayNotes, demoWriters } from './demo-texts';

const DAY_MS = 24 * 3600_000;

/** Journal entries and day notes for the demo clients, when the demo organisation has none. */
export async function insertDemoNotes(tx: Queryable, now: Date): Promise<boolean> {
  const { rows: clients } = await tx.query<{ id: string; unit_id: string; unit_name: string; personnummer: string }>(
    `SELECT c.id, c.unit_id, u.name AS unit_name, c.personnummer
       FROM clients c JOIN units u ON u.id = c.unit_id JOIN organisations o ON o.id = u.organisation_id
      WHERE o.name = $1 ORDER BY c.personnummer`,
    [demoOrganisation.name],
  );
  if (clients.length === 0) return false;
  const { rows: existing } = await tx.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM journal_entries WHERE unit_id = ANY($1::uuid[]))::int
          + (SELECT count(*) FROM day_notes WHERE unit_id = ANY($1::uuid[]))::int AS n`,
    [[...new Set(clients.map((c) => c.unit_id))]],
  );
  if ((existing[0]?.n ?? 0) > 0) return false;

  const { rows: staff } = await tx.query<{ id: string; hsa_id: string; name: string; title: string }>(
    "SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff",
  );
  const byHsa = new Map(staff.map((s) => [s.hsa_id, s]));
  const unitKey = (name: string): DemoUnitKey =>
    (Object.entries(demoUnits) as [DemoUnitKey, { name: string }][]).find(([, u]) => u.name === name)?.[0] ?? 'hemtjanst';
  // Always in the past: daysAgo whole days and 1–10 hours before now.
  const at = (daysAgo: number, hour: number) => new Date(now.getTime() - daysAgo * DAY_MS - (1 + (hour % 10)) * 3600_000);
  const writer = (key: DemoUnitKey, i: number) => {
    const hsa = demoWriters[key][i % demoWriters[key].length]!;
    const s = byHsa.get(hsa);
    if (!s) throw new Error(`seed: demo writer ${hsa} missing`);
    return s;
  };

  const insertEntry = async (client: (typeof clients)[number], key: DemoUnitKey, i: number, daysAgo: number, correctsId: string | null = null, text?: string) => {
    const t = demoJournalTexts[key][i % demoJournalTexts[key].length]!;
    const w = writer(key, i);
    const created = at(daysAgo, 9 + (i % 8));
    const id = randomUUID();
    await tx.query(
      `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, corrects_id,
                                    author_staff_id, author_hsa_id, author_name, author_title, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [id, client.id, client.unit_id, swedishDate(created), text ?? t.text, t.lifeArea, correctsId, w.id, w.hsa_id, w.name, w.title, created],
    );
    return { id, w, created };
  };

  for (const [n, client] of clients.entries()) {
    const key = unitKey(client.unit_name);
    for (let k = 0; k < 3; k++) await insertEntry(client, key, n + k, 2 + ((n * 5 + k * 9) % 40));
    for (let k = 0; k < 2; k++) {
      const w = writer(key, n + k + 1);
      const texts = demoDayNoteTexts[key];
      await tx.query(
        `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [randomUUID(), client.unit_id, client.id, texts[(n + k * 3) % texts.length], w.id, w.hsa_id, w.name, w.title, at((n + k * 11) % 60, 8 + k * 6)],
      );
    }
    // The first client of each unit has a correction: an entry marked erroneous and its replacement.
    if (clients.findIndex((c) => c.unit_id === client.unit_id) === n) {
      const wrong = await insertEntry(client, key, n + 5, 1, null, 'Brukaren deltog inte i eftermiddagens aktivitet.');
      await tx.query(
        `UPDATE journal_entries SET erroneous_at = $2, erroneous_by_staff_id = $3, erroneous_by_hsa_id = $4, erroneous_by_name = $5,
                erroneous_by_title = $6, erroneous_reason = $7 WHERE id = $1`,
        [wrong.id, new Date(wrong.created.getTime() + 3600_000), wrong.w.id, wrong.w.hsa_id, wrong.w.name, wrong.w.title, 'Skrivet på fel brukare.'],
      );
      await insertEntry(client, key, n + 5, 1, wrong.id, 'Rättelse: anteckningen om eftermiddagens aktivitet skrevs på fel brukare och är felmarkerad. Brukaren deltog som vanligt.');
    }
  }
  for (const key of Object.keys(demoUnitDayNotes) as DemoUnitKey[]) {
    const unit = clients.find((c) => unitKey(c.unit_name) === key);
    if (!unit) continue;
    for (const [k, text] of demoUnitDayNotes[key].entries()) {
      const w = writer(key, k);
      await tx.query(
        `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8)`,
        [randomUUID(), unit.unit_id, text, w.id, w.hsa_id, w.name, w.title, at(k * 3, 7)],
      );
    }
  }
  return true;
}
