/** The notice board's Swedish strings (merged into renderer/src/i18n/sv.ts under `notices`). */
export const svNotices = {
  heading: 'Anslagstavla',
  banner: 'Meddelande från anslagstavlan',
  empty: 'Inga meddelanden på anslagstavlan.',
  current: 'Visas nu',
  upcoming: 'Kommande',
  outage: 'Driftstopp {{window}}',
  shown: 'Visas {{from}} – {{until}}',
  publishedBy: 'Publicerat av {{name}} {{at}}',
  soonHeading: 'Planerat driftstopp inom 24 timmar',
  soonText: '{{title}}: {{window}}. Dokumentera på papper under stoppet om inget annat sägs.',
  understood: 'Jag förstår',
  more: 'Läs mer',
  close: 'Stäng',
  closeLabel: 'Stäng meddelandet {{title}} (det finns kvar på anslagstavlan)',
  moreBanners_one: '{{count}} meddelande till på anslagstavlan',
  moreBanners_other: '{{count}} meddelanden till på anslagstavlan',
} as const;
