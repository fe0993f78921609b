import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../main/sync/backoff';
import { SseClient, SseParser } from '../../../main/sync/sse';

describe('the SSE parser', () => {
  it('reads events split anywhere, with CRLF, comments and multi-line data', () => {
    const p = new SseParser();
    const text = '\ufeff: hello\r\nevent: changed\r\ndata: {"unitIds":\r\ndata: []}\r\n\r\ndata: plain\n\nevent: x\n\n';
    const out = [];
    for (let i = 0; i < text.length; i += 3) out.push(...p.feed(text.slice(i, i + 3)));
    expect(out).toEqual([
      { event: 'changed', data: '{"unitIds":\n[]}' },
      { event: 'message', data: 'plain' },
    ]);
  });
});

describe('backoff', () => {
  it('waits a random time up to a ceiling that grows exponentially, is capped, and resets (full jitter)', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 1 });
    expect([b.fail(), b.fail(), b.fail(), b.fail(), b.fail(), b.fail()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.fail()).toBe(100);
    // Anywhere from nothing to the ceiling: [0, ceiling], not its upper half.
    const low = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect([low.fail(), low.fail()]).toEqual([0, 0]);
    const mid = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.25 });
    expect([mid.fail(), mid.fail(), mid.fail()]).toEqual([25, 50, 100]);
  });
});

describe('the SSE client', () => {
  it('sends the bearer token, delivers events, and reconnects after a drop', async () => {
    const auths: string[] = [];
    let n = 0;
    const fetchFn: typeof fetch = async (_url, init) => {
      auths.push(new Headers(init?.headers).get('authorization') ?? '');
      n++;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode(`event: changed\ndata: {"unitIds":[]}\n\n`));
          c.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    const got: string[] = [];
    let opens = 0;
    const c = new SseClient({ url: 'http://x/api/v1/sync/events', token: () => 'abc', fetch: fetchFn, onMessage: (m) => got.push(m.event), onOpen: () => opens++, backoff: { baseMs: 1, capMs: 2 } });
    c.start();
    await expect.poll(() => got.length, { timeout: 4_000, interval: 2 }).toBeGreaterThanOrEqual(3);
    await c.close();
    expect(auths[0]).toBe('Bearer abc');
    expect(opens).toBeGreaterThanOrEqual(3);
    expect(n).toBeGreaterThanOrEqual(3);
  });
});
