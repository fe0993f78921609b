import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exampleKsiList, ksiIndex, KsiCopy, ksiRoutes, type KsiIndex } from '#contract';
import type { ServerClient } from '../server-client';

/**
 * The workstation's copy of the organisation's KSI list (docs/plans.md, "KSI codes"): fetched from
 * the server after each login and kept in `ksi-list.json` of the user-data folder (public data:
 * codes and titles, no person, so not in the encrypted store), so the plan editor and the PDF work
 * offline. Never fetched on this PC: the bundled example list, with `fetchedAt` null.
 */
export class KsiListCopy {
  private copy: KsiCopy;
  private index: KsiIndex;
  private readonly file: string;
  private pending: Promise<KsiCopy> | null = null;

  constructor(private readonly deps: { server: ServerClient; token: () => string; dataDir: string; now?: () => Date; log?: (obj: object, msg: string) => void }) {
    this.file = path.join(deps.dataDir, 'ksi-list.json');
    this.copy = this.readFile() ?? { list: exampleKsiList(), fetchedAt: null };
    this.index = ksiIndex(this.copy.list);
  }

  private readFile(): KsiCopy | null {
    try {
      const parsed = KsiCopy.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  current(): KsiCopy {
    return this.copy;
  }

  /** The copy, once a fetch under way (the one after login) has ended: the editor opened right after login gets the server's list. */
  async settled(): Promise<KsiCopy> {
    return this.pending ?? this.copy;
  }

  codes(): KsiIndex {
    return this.index;
  }

  /** Asks the server for its list and keeps it; offline or refused, the last copy stays. */
  refresh(): Promise<KsiCopy> {
    const run = this.fetch().finally(() => {
      if (this.pending === run) this.pending = null;
    });
    this.pending = run;
    return run;
  }

  private async fetch(): Promise<KsiCopy> {
    try {
      const list = await this.deps.server.call(ksiRoutes.list, { token: this.deps.token(), timeoutMs: 5_000 });
      const copy: KsiCopy = { list, fetchedAt: (this.deps.now?.() ?? new Date()).toISOString() };
      this.copy = copy;
      this.index = ksiIndex(list);
      await mkdir(this.deps.dataDir, { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify(copy));
      await rename(tmp, this.file);
    } catch (e) {
      this.deps.log?.({ code: (e as { code?: string }).code ?? (e as Error).name }, 'KSI-listan kunde inte hämtas; den senast hämtade används');
    }
    return this.copy;
  }
}
