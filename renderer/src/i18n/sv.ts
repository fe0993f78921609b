import type { ErrorCode } from '#contract';
import { svAdmin } from '../screens/admin/sv-admin';
import { svInbox } from '../screens/assignments/sv-inbox';
import { svDeviations } from '../screens/deviations/sv-deviations';
import { svIncidents } from '../screens/incidents/sv-incidents';
import { svJournal } from '../screens/journal/sv-journal';
import { svLocalStore } from '../screens/local-store/sv-local-store';
import { svMessages } from '../screens/messages/sv-messages';
import { svNotices } from '../screens/notices/sv-notices';
import { svSupport } from '../screens/support/sv-support';

/** Swedish first: every string a user sees. */
export const sv = {
  app: {
    title: 'Omsorgsportalen',
    subtitle: 'Arbetsstation för utförare',
    starting: 'Startar…',
    version: 'Omsorgsportalen version {{version}}',
    serverOlder:
      'Servern har en äldre version än den här arbetsstationen. Det du redan har på datorn går att läsa, och det du skrivit ligger kvar i kön och skickas när servern har uppdaterats. IT-supporten ser detta i supportvyn.',
    skipToContent: 'Hoppa till innehållet',
    /** The signed-in user's roles beside the name in the header. */
    role: { superuser: 'Superanvändare', it_contact: 'Administratör', manager: 'Verksamhetsansvarig' },
  },
  login: {
    heading: 'Logga in med e-tjänstekort',
    lockedHeading: 'Arbetsstationen är låst',
    lockedReason: {
      card_removed: 'Kortet togs ur.',
      idle: 'Arbetsstationen låstes efter en tids inaktivitet.',
      logout: 'Du loggades ut.',
      other_card: 'Ett annat kort sattes i.',
    },
    lockedUser: 'Sätt i kortet och ange PIN-kod för att fortsätta som {{name}}. Ett annat kort loggar ut den tidigare användaren.',
    readers: 'Kortläsare',
    noReader: 'Ingen kortläsare hittades. Anslut en kortläsare.',
    cardPresent: 'Kort isatt',
    noCard: 'Inget kort',
    insertCard: 'Sätt i ditt e-tjänstekort i kortläsaren.',
    chooseReader: 'Det sitter kort i flera kortläsare. Välj vilken du vill logga in med.',
    readerChosen: 'Kortläsaren du valde används på den här datorn tills du väljer en annan.',
    pin: 'PIN-kod',
    pinHint: 'Ange PIN-koden för ditt e-tjänstekort (legitimering).',
    triesLeft_one: 'Sista försöket: en fel PIN-kod till spärrar kortet. Är du osäker på koden, fråga din superanvändare innan du försöker.',
    triesLeft_other: '{{count}} försök kvar innan kortet spärras.',
    blocked: 'Kortet är spärrat.',
    submit: 'Logga in',
    signingIn: 'Loggar in…',
    logout: 'Logga ut',
    demo: {
      heading: 'Demokort',
      intro: 'Demon har en inbyggd demoläsare (DEMO ONLY). Välj vem du vill logga in som; kortet sätts i demoläsaren. PIN-kod {{pin}}.',
      insert: 'Sätt i kortet',
      insertFor: 'Sätt i kortet för {{name}}',
      inserted: 'Kortet sitter i',
      remove: 'Ta ut kortet',
      removeFor: 'Ta ut kortet för {{name}}',
    },
    roles: {
      it_contact: 'administratör (IT-kontaktperson)',
      superuser: 'superanvändare',
      staff: 'personal',
      manager: 'enhetschef',
      case_officer: 'biståndshandläggare',
    },
  },
  nav: {
    label: 'Huvudmeny',
    units: 'Enheter',
    inbox: 'Inkorg',
    clients: 'Brukare',
    plans: 'Planer att följa upp',
    messages: 'Meddelanden',
    notices: 'Anslagstavla',
    admin: 'Administration',
    incidents: 'Säkerhetsincidenter',
    support: 'Support',
    deviations: 'Avvikelser',
  },
  deviations: svDeviations,
  journal: svJournal,
  units: {
    heading: 'Enheter',
    loading: 'Hämtar enheter…',
    empty: 'Inga enheter att visa.',
    clients_one: '{{count}} brukare',
    clients_other: '{{count}} brukare',
    retry: 'Försök igen',
    openFeed: 'Daganteckningar',
    openInbox: 'Uppdrag i inkorgen',
    openInboxFor: 'Uppdrag i inkorgen för {{unit}}',
    serviceType: {
      hemtjanst: 'Hemtjänst',
      daglig_verksamhet: 'Daglig verksamhet',
    },
  },
  sync: {
    connection: {
      online: 'Ansluten',
      offline: 'Ej ansluten',
      connecting: 'Ansluter…',
    },
    pending_one: 'Ej skickat ({{count}})',
    pending_other: 'Ej skickat ({{count}})',
    refused: '{{what}} kunde inte sparas hos servern:',
    refusedText: 'Det du skrev',
    copy: 'Kopiera texten',
    copied: 'Kopierad',
    mutation: {
      journal_entry_create: 'En journalanteckning',
      journal_entry_draft: 'Ett utkast till journalanteckning',
      journal_entry_mark_erroneous: 'En felmarkering',
      day_note_create: 'En daganteckning',
      day_note_mark_summarised: 'En markering av daganteckning som sammanfattad',
      other: 'En ändring',
    },
    dismiss: 'Stäng',
  },
  inbox: svInbox,
  messages: svMessages,
  notices: svNotices,
  localStore: svLocalStore,
  admin: svAdmin,
  incidents: svIncidents,
  support: svSupport,
  /** The browser host's old tab (components/HostLostScreen.tsx). */
  hostLost: {
    restarted: {
      heading: 'Arbetsstationen har startats om — öppna den nya adressen',
      text: 'Den här fliken hör till en tidigare start och kan inte användas längre. Öppna adressen som visades när arbetsstationen startades nu (den börjar med http://127.0.0.1 och slutar med ?k=…).',
    },
    gone: {
      heading: 'Arbetsstationen är stängd eller har startats om',
      text: 'Fliken når inte arbetsstationen på den här datorn. Har den startats om: öppna den nya adressen som visades vid starten. Annars: starta arbetsstationen igen.',
    },
    close: 'Du kan stänga den här fliken. Inget du sparat har gått förlorat: sparade anteckningar och utkast finns i arbetsstationen.',
  },
  /** The shared date field (components/DateField.tsx). */
  /** Date and time of day (components/DateTimeField.tsx). */
  dateTimeField: {
    date: 'Datum',
    time: 'Klockslag',
    timeRequired: 'Ange ett klockslag (TT:MM).',
    timeFormat: 'Skriv klockslaget som TT:MM, till exempel 08:30.',
  },
  dateField: {
    hint: 'Skriv datumet som ÅÅÅÅ-MM-DD.',
    openCalendar: 'Välj datum i kalendern',
    calendar: 'Kalender',
    required: 'Ange ett datum (ÅÅÅÅ-MM-DD).',
    format: 'Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-24.',
    noSuchDay: '{{value}} finns inte i kalendern. Skriv datumet som ÅÅÅÅ-MM-DD.',
    beforeMin: 'Datumet kan inte vara före {{min}}.',
    afterMax: 'Datumet kan inte vara senare än {{max}}.',
  },
  /** CERT_WRONG_POLICY by the server's reason (details.reason): which certificate lacked what. */
  certPolicy: {
    PERSON_NO_POLICIES: 'Ditt kortcertifikat anger ingen certifikatpolicy, så dess tillitsnivå går inte att avgöra. Kontakta din IT-kontaktperson.',
    PERSON_NO_LOA_POLICY: 'Ditt kortcertifikat har inte tillitsnivå 3 (LoA3), som inloggningen kräver. Kontakta din IT-kontaktperson om ett kort med rätt nivå.',
    CA_NO_POLICIES: 'Utfärdaren av ditt kortcertifikat anger ingen certifikatpolicy, och servern kräver policykontroll genom hela kedjan. Kontakta din IT-kontaktperson.',
    CA_PATH_POLICY: 'Tillitsnivå 3 (LoA3) gäller inte genom utfärdarna av ditt kortcertifikat. Kontakta din IT-kontaktperson.',
  },
  /** RATE_LIMITED when the server said how long to wait (its Retry-After). */
  rateLimitedFor: 'För många försök — försök igen om {{seconds}} s.',
  errors: {
    VALIDATION: 'Uppgifterna är inte giltiga.',
    UNKNOWN_METHOD: 'Funktionen finns inte i den här versionen.',
    UNAUTHENTICATED: 'Du är inte inloggad.',
    FORBIDDEN: 'Du har inte behörighet till detta.',
    NOT_FOUND: 'Uppgiften hittades inte.',
    CONFLICT: 'Någon annan har ändrat uppgiften. Granska ändringen innan du sparar.',
    SERVER_UNREACHABLE: 'Servern går inte att nå just nu.',
    SERVER_ERROR: 'Servern kunde inte utföra åtgärden.',
    RATE_LIMITED: 'För många försök — försök igen om en stund.',
    SESSION_LOCKED: 'Arbetsstationen är låst.',
    PERMISSION_ENDED: 'Din behörighet till brukarens enhet har upphört, så det kan inte sparas. Det du skrev finns kvar överst på sidan (”Kopiera texten”).',
    PCSC_UNAVAILABLE: 'Korttjänsten (PC/SC) är inte igång.',
    NO_READER: 'Ingen kortläsare hittades.',
    NO_CARD: 'Sätt i ditt e-tjänstekort.',
    CARD_REMOVED: 'Kortet togs ur.',
    CARD_RESET: 'Kortet återställdes. Försök igen.',
    SHARING_VIOLATION: 'Kortet används av ett annat program.',
    CARD_ERROR: 'Kortet svarade inte som väntat.',
    PIN_INVALID_FORMAT: 'PIN-koden har fel längd.',
    PIN_WRONG: 'Fel PIN-kod.',
    PIN_BLOCKED: 'Kortet är spärrat efter för många felaktiga försök. Lås upp det med PUK-koden eller kontakta din IT-kontaktperson.',
    NONCE_INVALID: 'Inloggningen tog för lång tid eller har redan använts. Försök igen.',
    CERT_UNTRUSTED: 'Kortets certifikat är inte utfärdat av en betrodd utfärdare.',
    CERT_EXPIRED: 'Kortets certifikat har gått ut.',
    CERT_NOT_YET_VALID: 'Kortets certifikat är ännu inte giltigt.',
    CERT_WRONG_USAGE: 'Kortets certifikat får inte användas för inloggning.',
    CERT_WRONG_POLICY: 'Kortets certifikat har inte rätt tillitsnivå (LoA3).',
    CERT_REVOKED: 'Kortets certifikat är spärrat.',
    STORE_UNREADABLE: 'Uppgifterna som sparats på den här datorn går inte att läsa. Du kan hämta dem på nytt från servern; den gamla filen sparas då undan, den raderas inte.',
    CERT_REVOCATION_UNKNOWN: 'Det gick inte att kontrollera om kortets certifikat är spärrat. Försök igen om en stund.',
    SIGNATURE_INVALID: 'Kortets underskrift kunde inte kontrolleras.',
    UNKNOWN_CARD_HOLDER: 'Kortinnehavaren är inte känd i systemet.',
    NO_ACTIVE_PERMISSION:
      'Du saknar en giltig behörighet. Kontakta din IT-kontaktperson (den som ger behörigheter i Omsorgsportalen, ofta via IT-supporten) och be om behörighet för din enhet. Uppge ditt namn, vilken enhet du arbetar på och ditt HSA-ID — IT-kontaktpersonen kan läsa HSA-ID:t från ditt kort.',
    INTERNAL: 'Ett internt fel inträffade.',
  } satisfies Record<ErrorCode, string>,
} as const;
