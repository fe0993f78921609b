/** The local store's Swedish strings (merged into renderer/src/i18n/sv.ts under `localStore`). */
export const svLocalStore = {
  unreadable: {
    heading: 'Uppgifterna på den här datorn går inte att läsa',
    what: 'Dina brukare, journaler, daganteckningar och uppdrag sparas krypterade i en fil på den här datorn, så att du kan arbeta även utan anslutning. Den filen går inte att öppna.',
    causeLabel: 'Orsak:',
    cause: {
      wrong_key_or_corrupt: 'Filen är skadad, eller så passar nyckeln på datorn inte till den.',
      corrupt: 'Filen är skadad.',
      missing_key: 'Nyckeln till filen saknas på datorn.',
      key_not_unwrappable: 'Nyckeln till filen kan inte låsas upp med ditt användarkonto på den här datorn, till exempel efter att kontot har gjorts om.',
      newer_schema: 'Filen har skapats av en nyare version av Omsorgsportalen än den som finns på datorn.',
    },
    remedy: 'Du kan hämta dina uppgifter på nytt från servern. Den gamla filen raderas inte, den sparas undan på datorn.',
    unsent: 'Om du hade skrivit något som ännu inte hade skickats till servern (”Ej skickat”) finns det kvar i den undansparade filen. Din IT-kontaktperson kan ta fram det.',
    resync: 'Hämta uppgifterna på nytt från servern',
    busy: 'Hämtar…',
    busyStatus: 'Den gamla filen sparas undan och en ny fil skapas. Vänta lite.',
    failed: 'Det gick inte att hämta uppgifterna på nytt:',
    resetFailed: 'Den gamla filen kunde inte flyttas undan, till exempel för att mappen är skrivskyddad eller disken är full.',
    nothingLost: 'Inget har raderats. Försök igen, eller kontakta din IT-kontaktperson om felet finns kvar.',
    logout: 'Logga ut',
  },
  done: {
    heading: 'Uppgifterna hämtas på nytt',
    syncing: 'En ny fil har skapats och fylls nu med dina uppgifter från servern. Det kan ta en stund innan alla brukare och journaler syns. Står det ”Ej ansluten” uppe till höger väntar hämtningen på servern.',
    keptAside: 'Den gamla filen är sparad undan på den här datorn:',
    folder: 'Mapp',
    file: 'Fil',
    keyBeside: 'Dess nyckel ligger bredvid, i en fil med samma namn som slutar på .key.',
    unsent: 'Hade du skrivit något som inte hann skickas till servern finns det kvar i den filen. Berätta det för din IT-kontaktperson, som kan ta fram det.',
    continue: 'Fortsätt',
  },
  failed: {
    heading: 'Uppgifterna på den här datorn kunde inte öppnas',
    key_vault_unavailable: 'Datorns nyckelskydd för ditt användarkonto går inte att använda just nu, så den krypterade filen kan inte låsas upp. Att hämta uppgifterna på nytt skulle inte hjälpa. Logga ut och in igen. Om felet finns kvar, kontakta din IT-kontaktperson.',
    other: 'Ett oväntat fel inträffade när filen skulle öppnas. Logga ut och in igen. Om felet finns kvar, kontakta din IT-kontaktperson.',
  },
} as const;
