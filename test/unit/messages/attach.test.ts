/**
 * Attaching a PDF to a message on the workstation (main/messages/messages-service.ts,
 * docs/messages.md): only the PDF the product makes for the thread's client, sent at once to the
 * server; offline it fails with SERVER_UNREACHABLE and nothing is half-done (the reply's draft
 * stays); a thread not yet on the server, or not about a client, takes no attachment. The store
 * and the server are fakes here (the real path runs in test/e2e/messages.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { AppFailure, AttachBody, type LocalThreadDetail } from '#contract';
import { MessagesService, type MessagesDeps } from '../../../main/messages/messages-service';

const THREAD = '6b0c1a0e-7d3e-4c57-9d55-2f7e0b0b6a01';
const CLIENT = '0f6a4c1e-2b7d-4a6e-8c1b-5e9d3f2a7b10';
const author = { staffId: '1d3a6c2e-5f4b-4e8a-9c7d-0b1a2c3d4e5f', hsaId: 'SE2321000131-P000000000101', name: 'Anna Lindqvist', title: 'Undersköterska' };

function harness(opts: { clientId?: string | null; pending?: boolean; offline?: boolean } = {}) {
  const detail = { thread: { id: THREAD, clientId: opts.clientId === undefined ? CLIENT : opts.clientId, pending: opts.pending ?? false }, messages: [] } as unknown as LocalThreadDetail;
  const calls: { path: string; body: unknown }[] = [];
  const produced: string[] = [];
  const deletedDrafts: string[] = [];
  let synced = 0;
  const store = {
    read: async (_kind: string, method: string) => (method === 'thread' ? detail : null),
    write: async (_kind: string, method: string, q: { key?: string }) => {
      if (method === 'deleteDraft') deletedDrafts.push(q.key!);
      return true;
    },
  };
  const deps = {
    data: { current: async () => ({ store, engine: { syncNow: async () => void synced++ } }), store: async () => store },
    author: () => author,
    access: { record: async () => true },
    written: () => undefined,
    server: {
      baseUrl: 'http://server',
      origin: 'http://server',
      call: async (route: { path: string }, o?: { body?: unknown }) => {
        if (opts.offline) throw new AppFailure('SERVER_UNREACHABLE', 'Servern svarar inte');
        calls.push({ path: route.path, body: o?.body });
        return {};
      },
    },
    token: () => 'token',
    produce: {
      journal: async (clientId: string) => (produced.push(`journal:${clientId}`), { pdf: Buffer.from('%PDF-1.4 journal'), fileName: 'journal-0f6a4c1e-2026-12-02t09-00-00-000z.pdf' }),
      plan: async (clientId: string) => (produced.push(`plan:${clientId}`), { pdf: Buffer.from('%PDF-1.4 plan'), fileName: 'genomforandeplan-1234abcd-v2-2026-12-02t09-00-00-000z.pdf' }),
    },
    exportsDir: '/nonexistent',
  } as unknown as MessagesDeps;
  return { svc: new MessagesService(deps), calls, produced, deletedDrafts, synced: () => synced };
}

describe('attaching a PDF to a message (workstation)', () => {
  it('makes the thread client’s journal now and sends it at once with the reply’s text; the draft goes and a sync brings it back', async () => {
    const h = harness();
    await h.svc.attach({ threadId: THREAD, kind: 'journal', text: '  Se bifogat.  ' });
    expect(h.produced).toEqual([`journal:${CLIENT}`]);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.path).toBe(`/api/v1/messages/threads/${THREAD}/attachments`);
    const body = AttachBody.parse(h.calls[0]!.body);
    expect(body).toMatchObject({ kind: 'journal', text: 'Se bifogat.', fileName: 'journal-0f6a4c1e-2026-12-02t09-00-00-000z.pdf' });
    expect(Buffer.from(body.content, 'base64').toString()).toBe('%PDF-1.4 journal');
    expect(h.deletedDrafts).toEqual([THREAD]);
    expect(h.synced()).toBe(1);
  });

  it('without a text, a plain line says what is attached', async () => {
    const h = harness();
    await h.svc.attach({ threadId: THREAD, kind: 'plan', text: '' });
    expect(AttachBody.parse(h.calls[0]!.body)).toMatchObject({ kind: 'plan', text: 'Genomförandeplan bifogad.' });
  });

  it('offline: SERVER_UNREACHABLE, and the reply’s draft is kept', async () => {
    const h = harness({ offline: true });
    await expect(h.svc.attach({ threadId: THREAD, kind: 'journal', text: 'Utkast' })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    expect(h.deletedDrafts).toEqual([]);
    expect(h.synced()).toBe(0);
  });

  it('a thread not about a client, or not yet on the server, takes no attachment (nothing is made)', async () => {
    for (const h of [harness({ clientId: null }), harness({ pending: true })]) {
      await expect(h.svc.attach({ threadId: THREAD, kind: 'journal', text: '' })).rejects.toMatchObject({ code: 'VALIDATION' });
      expect(h.produced).toEqual([]);
      expect(h.calls).toEqual([]);
    }
  });
});
