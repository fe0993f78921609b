import { z } from 'zod';
import { AccessRecordType } from './access-log';
import { adminApi } from './admin';
import { Assignment, DistributionTarget, UnitStaffMember } from './assignments';
import { Loa, LoginMethodsResponse, LoginUser, PermittedUnit, SessionAssurance } from './auth';
import { call, type CallSpec } from './call';
import { consentsApi } from './consents';
import { deviationsApi } from './deviations';
import { CreateId, StaffRole, Unit } from './domain';
import { InboxActInput, InboxActResult, InboxDetail, InboxPage, InboxQuery } from './inbox';
import { incidentsApi } from './incidents';
import { DraftRef, JournalDraft, JournalExport, SavedDraft } from './journal';
import { messagesApi } from './messages';
import { noticesApi } from './notices';
import { credentialsApi, PasswordStartInput, PasswordStep, PasswordVerifyInput } from './password-login';
import { plansApi } from './plans';
import { ErrorCode } from './result';
import { supportApi } from './support';
import { ClientRecord, DayNoteRecord, JournalEntryRecord, LifeArea, MutationType } from './sync';
import { IsoDate, WrittenText } from './values';

/**
 * The one contract between renderer and main. Everything that crosses that boundary is derived
 * from these two objects: the preload bridge, the browser host's WebSocket, the main router's
 * validation and the renderer's client. A method's channel name is `namespace.method`.
 */
export type { CallSpec } from './call';
const noInput = z.object({}).strict();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which host runs the services: the Electron shell or the browser host. */
  host: z.enum(['electron', 'browser']),
  serverUrl: z.string(),
  /** When the installed app last crashed (its newest local crash dump; the time only), null: none, or not the installed app. */
  lastCrashAt: z.string().nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** A reader as the login screen shows it. */
export const CardReaderStatus = z.object({
  name: z.string(),
  cardPresent: z.boolean(),
});
export type CardReaderStatus = z.infer<typeof CardReaderStatus>;

export const CardStatus = z.object({
  /** 'unavailable': the PC/SC service (pcscd / Windows Smart Card service) is not running. */
  service: z.enum(['ok', 'unavailable']),
  readers: z.array(CardReaderStatus),
  /**
   * The reader login will use: the one chosen on this workstation if it holds a card, else the
   * only reader holding a card; null when several hold cards and none is chosen (the user picks).
   */
  selectedReader: z.string().nullable(),
  /** PIN tries left on the card in the selected reader, read without using a try. */
  pin: z.object({ triesLeft: z.number().int().min(0).max(15).nullable(), blocked: z.boolean() }).nullable(),
  /**
   * The embedded demo's built-in reader (`npm start` without SERVER_URL), beside any PC/SC readers:
   * the demo people whose card can be put in it, with their role, and whose card is in it. Absent
   * when there is no demo reader (a real server, the installed app).
   */
  demo: z
    .object({
      reader: z.string(),
      /** The demo cards' PIN (test material, shown on the login screen). */
      pin: z.string(),
      people: z.array(z.object({ id: z.string(), name: z.string(), title: z.string(), role: StaffRole })),
      inserted: z.string().nullable(),
    })
    .optional(),
});
export type CardStatus = z.infer<typeof CardStatus>;

/**
 * The session as the renderer knows it. 'locked': the card was removed or the user was idle; the
 * token is gone and sensitive state cleared, but the user is remembered so the same card and PIN
 * bring them back where they were. Another card logs the previous user out fully.
 */
export const SessionState = z.object({
  state: z.enum(['logged_out', 'locked', 'active']),
  user: LoginUser.nullable(),
  units: z.array(PermittedUnit),
  lockedReason: z.enum(['card_removed', 'idle', 'logout', 'other_card', 'ended']).nullable(),
  /** Idle time before the workstation locks, ms. */
  idleTimeoutMs: z.number().int().positive(),
  /**
   * The API version the server stated at this login (contract/server-api.ts; 1 when it stated none).
   * Lower than API_VERSION: the server is older than this workstation (serverIsOlder).
   */
  serverApiVersion: z.number().int().positive().optional(),
  /** How the active session was opened and at which level (issue 29); absent: a card session at LoA3. */
  assurance: SessionAssurance.optional(),
});
export type SessionState = z.infer<typeof SessionState>;

/** A PIN crosses the bridge once, as digits; main turns it into a buffer it wipes after use. */
export const PinInput = z.string().regex(/^\d{4,12}$/, 'PIN-koden ska vara 4–12 siffror');

export const SyncStatus = z.object({
  connection: z.enum(['online', 'offline', 'connecting']),
  /** Writes saved on this workstation but not yet on the server ("Ej skickat (N)"). */
  pending: z.number().int().nonnegative(),
  lastSyncAt: z.iso.datetime({ offset: true }).nullable(),
  /**
   * Writes the server refused for good, with the reason the user must see and what she wrote in
   * them (`text`, so it can be copied and written again), when the write carries text.
   */
  refusals: z.array(z.object({ mutationId: z.string(), type: z.string(), code: ErrorCode, message: z.string(), text: z.string().nullable(), at: z.string() })),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** Why the user's local store cannot be read (docs/store.md, "A store that cannot be read"). */
export const StoreUnreadableCause = z.enum(['wrong_key_or_corrupt', 'corrupt', 'missing_key', 'key_not_unwrappable', 'newer_schema']);
export type StoreUnreadableCause = z.infer<typeof StoreUnreadableCause>;

/**
 * The signed-in user's encrypted store on this workstation. 'unreadable': it exists but cannot be
 * read (`cause`); the way out is `store.resync`. 'failed': it could not be opened for another
 * reason (`failure`, e.g. the OS key store is unavailable), which a resync would not mend.
 */
export const StoreStatus = z.object({
  state: z.enum(['closed', 'opening', 'open', 'unreadable', 'resyncing', 'failed']),
  cause: StoreUnreadableCause.nullable(),
  failure: z.enum(['key_vault_unavailable', 'other']).nullable(),
});
export type StoreStatus = z.infer<typeof StoreStatus>;

export const StoreResyncResult = z.object({
  /**
   * Where the unreadable files were kept (moved, never deleted): the folder on this computer and
   * the file names — the database, its `-wal`/`-shm` if any, and its wrapped key (`.key`). Writes
   * that had not reached the server are still in that file; IT can recover them (docs/store.md).
   */
  keptAside: z.object({ folder: z.string().nullable(), files: z.array(z.string()) }),
  status: StoreStatus,
});
export type StoreResyncResult = z.infer<typeof StoreResyncResult>;

const Page = { limit: z.number().int().min(1).max(500).default(50) };
/** A journal entry or day note as the workstation's store holds it: pending until the server has it. */
export const LocalJournalEntry = JournalEntryRecord.extend({ pending: z.boolean() });
export type LocalJournalEntry = z.infer<typeof LocalJournalEntry>;
export const LocalDayNote = DayNoteRecord.extend({ pending: z.boolean() });
export type LocalDayNote = z.infer<typeof LocalDayNote>;

export const apiContract = {
  app: {
    info: call(noInput, AppInfo),
  },
  card: {
    /** Readers, card presence and PIN tries left; also pushed as the `card.changed` event. */
    status: call(noInput, CardStatus),
    /** The user picks the reader to log in with; kept for this workstation (not per user). */
    selectReader: call(z.object({ reader: z.string().min(1).max(200) }).strict(), CardStatus),
    /** DEMO ONLY: puts demo person `id`'s card in the built-in demo reader (another card there is pulled first); null pulls it. */
    insertDemoCard: call(z.strictObject({ id: z.string().min(1).max(100).nullable() }), CardStatus),
  },
  session: {
    status: call(noInput, SessionState),
    /** PIN → card signs the server's challenge → session. Never retried automatically. */
    login: call(z.object({ pin: PinInput, reader: z.string().max(200).optional() }).strict(), SessionState),
    logout: call(noInput, SessionState),
    /** Which logins the server offers (card, its identity provider) and what each assurance level opens. */
    methods: call(noInput, LoginMethodsResponse),
    /**
     * Login through the organisation's identity provider in the system browser (issue 29): resolves
     * when the person has logged in there and the server opened the session. `loa`: ask for that
     * level (3 to step up from a LoA2 session).
     */
    loginWithIdp: call(z.object({ loa: Loa.optional() }).strict(), SessionState),
    /** Without the card (issue 29): username and password → the one-time code is sent (SMS) or awaited (YubiKey). */
    passwordStart: call(PasswordStartInput, PasswordStep),
    /** The one-time code of the login passwordStart began → session. */
    passwordVerify: call(PasswordVerifyInput, SessionState),
    /** The user did something (key, pointer); resets the idle timer. Throttled by the renderer. */
    activity: call(noInput, z.object({ idleTimeoutMs: z.number().int().positive() })),
  },
  units: {
    /** The units of the provider organisation the user may see, from the server. */
    list: call(noInput, z.array(Unit)),
  },
  sync: {
    status: call(noInput, SyncStatus),
    /** Push and pull now (also happens by itself). */
    now: call(noInput, SyncStatus),
    dismissRefusal: call(z.object({ mutationId: z.string().uuid() }).strict(), SyncStatus),
  },
  store: {
    /** The local store's state; also pushed as the `store.status` event. */
    status: call(noInput, StoreStatus),
    /**
     * Only while the store is 'unreadable', for the signed-in user: close it, move its files aside
     * (never delete), open a fresh store and sync it from the server. Answers where the old files are.
     */
    resync: call(noInput, StoreResyncResult),
  },
  clients: {
    list: call(z.object({ unitId: z.string().uuid().optional(), search: z.string().max(100).optional(), offset: z.number().int().min(0).optional(), ...Page }).strict(), z.array(ClientRecord)),
    /** One client of the user's units from the store; null when there is none (not synced, or another unit's). */
    get: call(z.object({ id: z.string().uuid() }).strict(), ClientRecord.nullable()),
  },
  journal: {
    /** A client's journal, newest first; opening it is a read in the access log. */
    list: call(
      z.object({
        clientId: z.string().uuid(),
        before: z.object({ eventDate: IsoDate, createdAt: z.string(), id: z.string().uuid() }).optional(),
        /** Words the entry's text must contain (case-insensitive). */
        search: z.string().trim().max(200).optional(),
        ...Page,
      }).strict(),
      z.array(LocalJournalEntry),
    ),
    create: call(
      z.object({
        ...CreateId,
        clientId: z.string().uuid(),
        eventDate: IsoDate,
        text: WrittenText(20_000).pipe(z.string().trim().min(1, 'Skriv anteckningen')),
        lifeArea: LifeArea.nullable().default(null),
        assignmentId: z.string().uuid().nullable().default(null),
        /** Day notes this entry summarises: they are marked summarised (day_note.mark_summarised). */
        summarisedNoteIds: z.array(z.string().uuid()).max(500).default([]),
      }).strict(),
      LocalJournalEntry,
    ),
    /** Felmarkera: the entry stays, marked erroneous with the reason (a change in the access log). */
    markErroneous: call(z.object({ entryId: z.string().uuid(), reason: WrittenText(2_000).pipe(z.string().trim().min(1, 'Ange varför anteckningen är fel')) }).strict(), LocalJournalEntry),
    /** A correction: mark the entry erroneous and add the new entry linked to it (two mutations, in order). */
    correct: call(
      z.object({
        ...CreateId,
        entryId: z.string().uuid(),
        reason: WrittenText(2_000).pipe(z.string().trim().min(1, 'Ange varför anteckningen är fel')),
        eventDate: IsoDate,
        text: WrittenText(20_000).pipe(z.string().trim().min(1, 'Skriv anteckningen')),
        lifeArea: LifeArea.nullable().default(null),
        assignmentId: z.string().uuid().nullable().default(null),
      }).strict(),
      z.object({ marked: LocalJournalEntry, correction: LocalJournalEntry }),
    ),
    /**
     * The client's journal (the entries whose event date is in from–to, when given) as a PDF to save
     * or to print; an export in the access log. Where it goes is the host's: a save or print
     * dialog (Electron), a download (browser host), the exports folder (no host).
     */
    export: call(
      z.object({ clientId: z.string().uuid(), from: IsoDate.optional(), to: IsoDate.optional(), how: z.enum(['save', 'print']).default('save') })
        .strict()
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'Perioden slutar före den börjar.' }),
      JournalExport,
    ),
  },
  drafts: {
    /** Saved as the user types, in the encrypted store; survives lock, crash and restart. */
    save: call(JournalDraft, SavedDraft),
    get: call(DraftRef, SavedDraft.nullable()),
    delete: call(DraftRef, z.object({ deleted: z.boolean() })),
  },
  audit: {
    /** The user copied text of a client's journal or notes to the clipboard (the renderer's `copy` event). */
    copied: call(z.object({ clientId: z.string().uuid(), recordType: AccessRecordType, recordId: z.string().uuid().optional() }).strict(), z.object({ queued: z.boolean() })),
  },
  daynotes: {
    list: call(
      z.object({ unitId: z.string().uuid(), clientId: z.string().uuid().optional(), before: z.object({ createdAt: z.string(), id: z.string().uuid() }).optional(), ...Page }).strict(),
      z.array(LocalDayNote),
    ),
    create: call(z.object({ ...CreateId, unitId: z.string().uuid(), clientId: z.string().uuid().nullable().default(null), text: z.string().trim().min(1).max(4_000) }).strict(), LocalDayNote),
    search: call(z.object({ query: z.string().trim().min(1).max(200), unitId: z.string().uuid().optional(), ...Page }).strict(), z.array(LocalDayNote)),
  },
  inbox: {
    /** The assignment inbox from the local store: filters, sorting, paging (offset/limit ≤ 500), counts per status, the badge count. */
    list: call(InboxQuery, InboxPage),
    /** One assignment with its history; online also from the server (the access-log read), offline the stored copy. */
    get: call(z.object({ id: z.string().uuid() }).strict(), InboxDetail),
    /** The stored copy only (the sync keeps it current): the open detail's live refresh; null if not stored. No server read. */
    stored: call(z.object({ id: z.string().uuid() }).strict(), Assignment.nullable()),
    /** An action, checked by the server: applied, or — no answer — outcome unknown (ask again with its requestId); a refusal comes back as the server's Swedish message. */
    act: call(InboxActInput, InboxActResult),
    /** Staff who may be named when distributing to a unit of the user's (from the server; online only). */
    staff: call(z.object({ unitId: z.string().uuid() }).strict(), z.array(UnitStaffMember)),
    /** The user's units that provide the assignment's kind of service: where it may be distributed (from the server; online only). */
    targets: call(z.object({ id: z.string().uuid() }).strict(), z.array(DistributionTarget)),
  },
  plans: plansApi,
  messages: messagesApi,
  notices: noticesApi,
  /** Administration and access-log follow-up (docs/administration.md); the server decides who may. */
  admin: adminApi,
  /** Password + one-time code: the organisation's methods, each person's password and YubiKeys (an administrator of the whole organisation). */
  credentials: credentialsApi,
  /** Security incidents (docs/incidents.md): online only; the server decides who sees and does what. */
  incidents: incidentsApi,
  /** First-line support: colleagues' workstations and support messages (docs/administration.md); superuser or administrator. */
  support: supportApi,
  /** Deviations and lex Sarah (docs/deviations.md): reports offline; the manager's handling online. */
  deviations: deviationsApi,
  /** The client's consent register (docs/consents.md): recorded and withdrawn offline, synced. */
  consents: consentsApi,
} as const;

export type { MutationType };

/** Events main pushes to the renderer. */
export const eventContract = {
  'session.locked': z.object({ reason: z.enum(['card_removed', 'idle', 'logout', 'other_card', 'ended']) }),
  'session.changed': SessionState,
  /** The browser host only: open this IdP login in a new browser tab (Electron opens the system browser itself). */
  'session.openExternal': z.object({ url: z.url() }),
  'card.changed': CardStatus,
  'data.changed': z.object({ kinds: z.array(z.string()) }),
  'sync.status': SyncStatus,
  'store.status': StoreStatus,
} as const;

type Api = typeof apiContract;
type Spec<N extends keyof Api, M extends keyof Api[N]> = Api[N][M] extends CallSpec<infer I, infer O> ? { I: I; O: O } : never;

export type MethodName = { [N in keyof Api]: `${N & string}.${keyof Api[N] & string}` }[keyof Api];
export type EventName = keyof typeof eventContract;
export type EventPayload<E extends EventName> = z.infer<(typeof eventContract)[E]>;

/** What a renderer sees: `api.units.list({})` → Promise<Result<Unit[]>>. */
export type ApiClient = {
  [N in keyof Api]: {
    [M in keyof Api[N]]: (input: z.input<Spec<N, M>['I']>) => Promise<import('./result').Result<z.output<Spec<N, M>['O']>>>;
  };
};

/** What main implements; the router validates input before and output after. */
export type ApiHandlers<Ctx> = {
  [N in keyof Api]: {
    [M in keyof Api[N]]: (input: z.output<Spec<N, M>['I']>, ctx: Ctx) => Promise<z.input<Spec<N, M>['O']>>;
  };
};

export function methodNames(): MethodName[] {
  const names: string[] = [];
  for (const [ns, methods] of Object.entries(apiContract)) {
    for (const m of Object.keys(methods)) names.push(`${ns}.${m}`);
  }
  return names as MethodName[];
}

export function lookupMethod(name: string): CallSpec | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const ns = name.slice(0, dot);
  const m = name.slice(dot + 1);
  if (!Object.hasOwn(apiContract, ns)) return undefined;
  const methods = apiContract[ns as keyof Api] as Record<string, CallSpec>;
  return Object.hasOwn(methods, m) ? methods[m] : undefined;
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventContract, name);
}
