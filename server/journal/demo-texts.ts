import type { LifeArea } from '#contract';
import type { DemoUnitKey } from '../seed/demo-people';

/**
 * Demo execution-journal entries and day notes: short, factual, fictional. Written in the style
 * Socialstyrelsen asks for (what happened, what was done), with no names of other people and no
 * sensitive detail beyond what a demo needs. Dated relative to the seeding day, within the
 * day-note retention.
 */
export interface DemoJournalText {
  text: string;
  lifeArea: LifeArea | null;
}

export const demoJournalTexts: Record<DemoUnitKey, readonly DemoJournalText[]> = {
  hemtjanst: [
    { text: 'Morgonbesök. Hjälp med dusch och påklädning enligt genomförandeplanen. Brukaren var på gott humör och åt frukost själv.', lifeArea: 'self_care' },
    { text: 'Inköp gjort enligt brukarens lista. Kvitto och växel lämnade till brukaren, som kontrollerade dem.', lifeArea: 'domestic_life' },
    { text: 'Brukaren berättade att hen känt sig yr på morgonen. Kontakt tagen med sjuksköterskan, som gör hembesök i eftermiddag.', lifeArea: 'safety' },
    { text: 'Promenad runt kvarteret med rollator, cirka 20 minuter. Brukaren vill gärna fortsätta med promenader två gånger i veckan.', lifeArea: 'mobility' },
    { text: 'Städning av kök och badrum. Brukaren torkade själv av köksbordet och deltog i planeringen av veckans städning.', lifeArea: 'domestic_life' },
    { text: 'Kvällsbesöket uteblev på grund av personalbrist. Brukaren informerades per telefon och fick besök en timme senare.', lifeArea: null },
  ],
  daglig: [
    { text: 'Deltog i verksamhetens caféarbete hela förmiddagen. Tog emot beställningar och räknade växel med stöd.', lifeArea: 'work_economy' },
    { text: 'Övade på att åka buss till verksamheten med stöd av bildschema. Klarade bytet vid Hjalmar Brantingsplatsen själv.', lifeArea: 'community_life' },
    { text: 'Blev orolig vid lunch när schemat ändrades. Lugnade sig efter en stund i det lugna rummet och åt sedan lunch.', lifeArea: 'communication' },
    { text: 'Arbetade i snickeriet med att slipa fågelholkar. Visade stort intresse och vill fortsätta nästa vecka.', lifeArea: 'work_economy' },
    { text: 'Deltog i gruppens planering av utflykten. Valde själv aktivitet med hjälp av bildstöd.', lifeArea: 'relationships' },
  ],
};

export const demoDayNoteTexts: Record<DemoUnitKey, readonly string[]> = {
  hemtjanst: [
    'Kaffet är slut, står på inköpslistan till torsdag.',
    'Nyckeln till porten sitter trögt – var försiktig när ni låser.',
    'Hade besök av dottern i dag, ville inte ha lunch förrän kl 13.',
    'Trygghetslarmet testat, fungerar.',
    'Tvättstugan bokad fredag 10–13.',
    'Sov dåligt i natt enligt egen uppgift, var trött vid morgonbesöket.',
  ],
  daglig: [
    'Kommer senare i morgon, tandläkartid kl 9.',
    'Glöm inte regnkläder till utflykten på onsdag.',
    'Bildschemat för veckan är uppdaterat i pärmen.',
    'Åt bra i dag och var nöjd med caféarbetet.',
    'Färdtjänsten var sen hem, ringde och reklamerade.',
  ],
};

/** For the day-note list of a unit (no client). */
export const demoUnitDayNotes: Record<DemoUnitKey, readonly string[]> = {
  hemtjanst: ['Ny kollega börjar på måndag, går bredvid på förmiddagsturen.', 'Bil 2 är på service torsdag – ta bil 3.'],
  daglig: ['Studiedag fredag – verksamheten stänger kl 12.', 'Snickeriet behöver nytt sandpapper, beställt.'],
};

/** Who writes in each unit's journal (HSA-IDs of demoStaff). */
export const demoWriters: Record<DemoUnitKey, readonly string[]> = {
  hemtjanst: ['SE2321000131-P000000000101', 'SE2321000131-P000000000102', 'SE2321000131-P000000000103', 'SE2321000131-P000000000108'],
  daglig: ['SE2321000131-P000000000104', 'SE2321000131-P000000000105', 'SE2321000131-P000000000103'],
};
