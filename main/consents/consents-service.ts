import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppFailure, because, type Author, type consentsApi, type LocalConsent } from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import type { LocalStore } from '../store/types';

type Api = typeof consentsApi;
type In<M extends keyof Api> = z.output<Api[M]['input']>;

export interface ConsentsDeps {
  store: () => Promise<LocalStore>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: push soon, tell the renderer. */
  written: (kinds: string[]) => void;
  now?: () => Date;
}

/**
 * The consent register on the workstation (docs/consents.md): a client's consents from the
 * encrypted store (opening them is a read in the access log), recorded and withdrawn through the
 * outbox, offline like every write. The server logs each applied write as a change.
 */
export class ConsentsService {
  constructor(private readonly deps: ConsentsDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async list(clientId: string): Promise<LocalConsent[]> {
    const store = await this.deps.store();
    if (!(await store.client(clientId))) throw new AppFailure('NOT_FOUND', 'client not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    const consents = await store.read('consent', 'ofClient', clientId);
    await this.deps.access.record({ action: 'read', clientId, recordType: 'consents' });
    return consents;
  }

  async record(input: In<'record'>): Promise<LocalConsent> {
    // The client-made id is the consent's own: the same id again (a double click, a retry) answers
    // the consent as queued or sent, never a second one.
    const { requestId: id = randomUUID(), ...fields } = input;
    const store = await this.deps.store();
    const already = await store.read('consent', 'get', id);
    if (already) return already;
    await store.enqueue({ mutationId: randomUUID(), createdAt: this.now().toISOString(), type: 'consent.record', record: { id, ...fields } }, this.deps.author());
    this.deps.written(['consent']);
    return this.saved(id);
  }

  async withdraw(input: In<'withdraw'>): Promise<LocalConsent> {
    // The same withdrawal again by the same person (a double click, a retry after a lost answer,
    // two clicks at once) answers the consent as withdrawn, queues nothing more and shows no
    // error; a different second withdrawal is still refused by the store's rule.
    const store = await this.deps.store();
    const author = this.deps.author();
    const done = async () => {
      const now = await store.read('consent', 'get', input.id);
      return now && isSameWithdrawal(now, input, author) ? now : null;
    };
    const already = await done();
    if (already) return already;
    try {
      await store.enqueue({ mutationId: randomUUID(), createdAt: this.now().toISOString(), type: 'consent.withdraw', record: input }, author);
    } catch (e) {
      const meanwhile = e instanceof AppFailure && e.code === 'CONFLICT' ? await done() : null;
      if (meanwhile) return meanwhile;
      throw e;
    }
    this.deps.written(['consent']);
    return this.saved(input.id);
  }

  private async saved(id: string): Promise<LocalConsent> {
    const saved = await (await this.deps.store()).read('consent', 'get', id);
    if (!saved) throw new AppFailure('NOT_FOUND', 'consent not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    return saved;
  }
}

function isSameWithdrawal(c: LocalConsent, w: In<'withdraw'>, author: Author): boolean {
  return c.withdrawal !== null && c.withdrawal.by.staffId === author.staffId && c.withdrawal.withdrawnOn === w.withdrawnOn && c.withdrawal.reason === w.reason.trim();
}

/** The `consents` API namespace over the service. */
export function consentsHandlers(deps: ConsentsDeps) {
  const svc = new ConsentsService(deps);
  return {
    list: ({ clientId }: In<'list'>) => svc.list(clientId),
    record: (input: In<'record'>) => svc.record(input),
    withdraw: (input: In<'withdraw'>) => svc.withdraw(input),
  };
}
