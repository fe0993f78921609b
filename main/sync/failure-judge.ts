/** Failures worth retrying as they are: the server or the network, not the request. */
export const TRANSIENT = new Set(['SERVER_UNREACHABLE', 'SERVER_ERROR', 'INTERNAL']);
/** A whole push answered with one of these: something in the batch is wrong, retrying it as it is will not help. */
export const BATCH_REFUSED = new Set(['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PERMISSION_ENDED']);
/**
 * A poison pill (docs/sync.md, "A poison pill") is told from an outage: a mutation the server
 * answers with the same server error this many times in a row — sent alone, in runs whose pull
 * shows the server otherwise works — while another mutation of its kind was applied after its
 * first failure, and over at least `poisonMinSpanMs`. Until then it is only parked (sent again after
 * a backoff; the queue goes on past it, later writes of its record wait). A poison pill is set aside
 * for this server (version and process), never deleted: the user sees it with its text, and it is
 * sent again when the server changes. An outage — the kind failing for every mutation, 5xx,
 * connection errors — never sets anything aside.
 */
export const POISON_AFTER = 3;
export const poisonMessage = (error: string) =>
  `Servern svarade med fel ${POISON_AFTER} gånger i rad på just den här ändringen (${error}), medan andra av samma slag sparades; övriga ändringar skickas. Den skickas igen när servern uppdateras eller startas om. Texten finns kvar här – kopiera den och kontakta supporten om det dröjer.`;
/** Mutations failing alone in one run after which the push stops (an outage, not one bad mutation). */
export const OUTAGE_AFTER = 6;
/** How long a mutation that failed alone waits before it is sent alone again: doubling from the engine's backoff base, at most its cap and this. */
const PARK_CAP_MS = 5 * 60_000;

/** A mutation that, sent alone, got a server error in this run: the run's push stopped at it. */
export interface Suspect {
  mutationId: string;
  type: string;
  error: string;
  /** When it failed (ms). */
  at?: number;
}

/** The record kind of a mutation type (`journal_entry.create` → `journal_entry`). */
export const kindOf = (type: string): string => type.split('.')[0]!;

/**
 * What the sync engine remembers to tell a poison pill from an outage (above): when each suspect
 * first failed alone (this process; a restart begins again, erring toward sending), when a
 * mutation of each kind was last applied, and the runs in a row in which a kind failed as a whole.
 */
export class FailureJudge {
  private readonly firstFailed = new Map<string, number>();
  private readonly appliedAt = new Map<string, number>();
  private readonly kindOutages = new Map<string, number>();

  constructor(
    private readonly backoff: { baseMs?: number; capMs?: number },
    private readonly poisonMinSpanMs: number,
  ) {}

  /** The server applied a mutation of `kind` at `at`: the kind works, its outage is over. */
  applied(kind: string, at: number): void {
    this.appliedAt.set(kind, at);
    this.kindOutages.delete(kind);
  }

  /** Its strike number `strikes` (from the store): does its kind work, and is it a poison pill now? */
  judge(suspect: Suspect, strikes: number, now: number): { kindWorks: boolean; poison: boolean } {
    if (strikes === 1 || !this.firstFailed.has(suspect.mutationId)) this.firstFailed.set(suspect.mutationId, suspect.at ?? now);
    const first = this.firstFailed.get(suspect.mutationId)!;
    const kindWorks = (this.appliedAt.get(kindOf(suspect.type)) ?? 0) > first;
    const poison = strikes >= POISON_AFTER && kindWorks && now - first >= this.poisonMinSpanMs;
    if (poison) this.firstFailed.delete(suspect.mutationId);
    return { kindWorks, poison };
  }

  /** `kind` failed as a whole once more in a row: how many times now (for its park's backoff). */
  kindOut(kind: string): number {
    const outages = (this.kindOutages.get(kind) ?? 0) + 1;
    this.kindOutages.set(kind, outages);
    return outages;
  }

  /** The n-th wait of a parked mutation or kind: doubling from the backoff's base, at most its cap and PARK_CAP_MS. */
  parkMs(n: number): number {
    const base = this.backoff.baseMs ?? 1_000;
    return Math.min(base * 2 ** (n - 1), this.backoff.capMs ?? 60_000, PARK_CAP_MS);
  }
}
