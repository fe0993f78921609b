import { API_VERSION_HEADERS } from '#contract';
import { Backoff, type BackoffOptions } from './backoff';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * Parses a text/event-stream (WHATWG HTML §9.2) incrementally: feed it chunks of text, get whole
 * messages. Handles \n, \r\n and \r line ends, comments (`:`), multi-line `data`, and a BOM.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private first = true;

  feed(chunk: string): SseMessage[] {
    if (this.first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      this.first = false;
    }
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const msg: SseMessage = { event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) };
      this.data = [];
      this.event = '';
      return msg;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return null;
  }
}

export interface SseClientOptions {
  url: string;
  /** Asked before every (re)connect; throwing stops the client (the session is gone). */
  token: () => string;
  onMessage: (m: SseMessage) => void;
  /** Connected (2xx with an event stream): a good moment to catch up on what was missed. */
  onOpen?: () => void;
  /** The stream ended or could not be opened; the client reconnects by itself. */
  onDrop?: (error: Error) => void;
  backoff?: BackoffOptions;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/**
 * A Server-Sent Events client over fetch, because the browser EventSource cannot send an
 * Authorization header (and Node has none). Reconnects with backoff until `close()`.
 */
export class SseClient {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private done: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: SseClientOptions) {
    this.backoff = new Backoff(opts.backoff ?? { baseMs: 1_000, capMs: 30_000 });
  }

  start(): void {
    this.done ??= this.loop();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    await this.done;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let token: string;
      try {
        token = this.opts.token();
      } catch {
        return;
      }
      try {
        await this.connect(token);
        this.opts.onDrop?.(new Error('the event stream ended'));
      } catch (e) {
        if (this.closed) return;
        this.opts.onDrop?.(e as Error);
      }
      if (this.closed) return;
      await this.sleep(this.backoff.fail());
    }
  }

  private async connect(token: string): Promise<void> {
    const res = await (this.opts.fetch ?? fetch)(this.opts.url, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...API_VERSION_HEADERS, ...this.opts.headers },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`the event stream answered ${res.status}`);
    }
    this.backoff.reset();
    this.opts.onOpen?.();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const m of parser.feed(decoder.decode(value, { stream: true }))) this.opts.onMessage(m);
      }
    } finally {
      reader.releaseLock();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      t.unref?.();
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
