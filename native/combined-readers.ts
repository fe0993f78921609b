import type { CardEvent, CardEventListener, CardMonitor, CardReaders, ConnectedCard, ReaderInfo, WithCardOptions } from './readers';

/**
 * Two reader stacks as one: the PC/SC readers and, beside them, a built-in reader (the embedded
 * demo's in-process reader, `npm start` without SERVER_URL). Each reader belongs to the stack that
 * lists it. When PC/SC is not there (no pcscd, no pcsclite) its readers are simply absent: the
 * other stack still works, so the whole is never 'unavailable'.
 */
export class CombinedReaders implements CardReaders, CardMonitor {
  readonly monitor: CardMonitor = this;
  private readonly listeners = new Set<CardEventListener>();
  private pcscDown = false;
  /** The PC/SC readers last seen, to report them gone when PC/SC goes away. */
  private pcscSeen: ReaderInfo[] = [];
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly pcsc: CardReaders,
    private readonly builtIn: CardReaders,
  ) {
    this.unsubscribe = [pcsc.monitor.subscribe((e) => this.fromPcsc(e)), builtIn.monitor.subscribe((e) => this.emit(e))];
  }

  readers(): ReaderInfo[] {
    const pcsc = this.pcscDown ? [] : this.pcsc.monitor.readers();
    if (!this.pcscDown) this.pcscSeen = pcsc;
    return [...pcsc, ...this.builtIn.monitor.readers()];
  }

  subscribe(listener: CardEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listReaders(): Promise<ReaderInfo[]> {
    const pcsc = this.pcscDown ? [] : await this.pcsc.listReaders().catch(() => []);
    return [...pcsc, ...(await this.builtIn.listReaders())];
  }

  withCard<T>(reader: string, fn: (card: ConnectedCard) => Promise<T>, opts?: WithCardOptions): Promise<T> {
    const stack = this.builtIn.monitor.readers().some((r) => r.name === reader) ? this.builtIn : this.pcsc;
    return stack.withCard(reader, fn, opts);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.listeners.clear();
    await Promise.all([this.pcsc.close(), this.builtIn.close()]);
  }

  private fromPcsc(e: CardEvent): void {
    if (e.type === 'unavailable') {
      const gone = this.pcscDown ? [] : this.pcscSeen;
      this.pcscDown = true;
      this.pcscSeen = [];
      for (const r of gone) {
        if (r.cardPresent) this.emit({ type: 'card-removed', reader: r.name });
        this.emit({ type: 'reader-removed', reader: r.name });
      }
      return;
    }
    if (e.type === 'available') {
      this.pcscDown = false;
      for (const r of this.pcsc.monitor.readers()) this.emit({ type: 'reader-added', reader: r.name });
      return;
    }
    if (e.type === 'reader-added' || e.type === 'card-inserted') this.pcscSeen = this.pcsc.monitor.readers();
    this.emit(e);
  }

  private emit(e: CardEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
