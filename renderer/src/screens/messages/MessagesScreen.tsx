import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPersonnummer, swedishDateTime, type AppError, type AttachmentKind, type LocalMessage, type LocalThreadDetail, type LocalThreadSummary } from '#contract';
import { errorText } from '../../components/error-text';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useNav } from '../../state/nav-store';
import { useSession } from '../../state/session-store';
import { aboutRecords, attachToThread, openAttachment, startThread } from './messages-actions';
import { useMessages } from './messages-store';
import { RecipientPicker } from './RecipientPicker';
import { useMessageDraft } from './use-draft';
import './messages.css';

/**
 * Meddelanden: the user's threads (unread counts, "Ej skickat", search in their own threads), a
 * thread with its messages and read receipts, a reply (with the client's journal or plan as a PDF
 * attached, when the thread is about a client), a new message to a unit's inbox and/or named
 * people (about a client or an assignment when opened from its page). Nav params: `threadId`, or
 * `new` with `unitId`, `clientId`, `assignmentId`.
 */
export function MessagesScreen() {
  const { params } = useNav();
  const { openId, open, load, close } = useMessages();
  useEffect(() => {
    const current = useMessages.getState().openId;
    if (params.threadId) {
      if (params.threadId !== current) void open(params.threadId);
    } else if (current) close();
    else void load();
  }, [params.threadId, open, load, close]);
  if (params.new) return <NewThread />;
  return openId ? <ThreadView /> : <ThreadList />;
}

function ThreadList() {
  const { t } = useTranslation();
  const { go } = useNav();
  const { threads, query, status, error, setQuery, load } = useMessages();
  return (
    <section aria-labelledby="messages-h" className="messages">
      <div className="messages-head">
        <h2 id="messages-h">{t('messages.heading')}</h2>
        <button type="button" onClick={() => go('messages', { new: '1' })}>
          {t('messages.newThread')}
        </button>
      </div>
      <label className="messages-search">
        {t('messages.search')}
        <input type="search" value={query} placeholder={t('messages.searchPlaceholder')} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {status === 'loading' && <p aria-live="polite">{t('messages.loading')}</p>}
      {status === 'ready' && threads.length === 0 && <p>{query.trim() ? t('messages.noMatch') : t('messages.empty')}</p>}
      <ThreadItems threads={threads} />
    </section>
  );
}

/** Who the thread is with, seen from the user: the unit's inbox and the named people other than them; else its author. */
export function counterpart(th: LocalThreadSummary, me: string | undefined, unitInbox: string): string {
  const others = th.participants.filter((p) => p.staffId !== me && p.name).map((p) => p.name);
  const names = [...(th.toUnit ? [unitInbox] : []), ...others];
  return names.length > 0 ? names.join(', ') : th.author.name;
}

export function ThreadItems({ threads }: { threads: LocalThreadSummary[] }) {
  const { t } = useTranslation();
  const { go } = useNav();
  const me = useSession((s) => s.session?.user?.id);
  if (threads.length === 0) return null;
  return (
    <ul className="thread-list" aria-label={t('messages.threadList')}>
      {threads.map((th) => (
        <li key={th.id}>
          <button type="button" className={`thread-item${th.unread > 0 ? ' thread-unread' : ''}`} onClick={() => go('messages', { threadId: th.id })}>
            <span className="thread-line">
              <span className="thread-with">{t('messages.with', { who: counterpart(th, me, t('messages.toUnit')) })}</span>
              <span className="thread-subject">{th.subject}</span>
              {th.clientName && <span className="thread-client">{t('messages.aboutName', { name: th.clientName })}</span>}
            </span>
            {th.lastMessage && (
              <span className="thread-preview">
                {th.lastMessage.authorName}: {th.lastMessage.text.replace(/\s+/g, ' ')}
              </span>
            )}
            <span className="thread-meta">
              {swedishDateTime(th.lastMessageAt)}
              {th.unread > 0 && <span className="badge">{t('messages.unread', { count: th.unread })}</span>}
              {th.pending > 0 && <span className="pending-tag">{t('messages.notSent')}</span>}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function ThreadView() {
  const { t } = useTranslation();
  const { go } = useNav();
  const { detail, detailError } = useMessages();
  const back = () => go('messages');
  return (
    <section aria-labelledby="thread-h" className="messages thread">
      <button type="button" className="button-link" onClick={back}>
        {t('messages.back')}
      </button>
      {detailError && <ErrorNotice error={detailError} onRetry={back} />}
      {!detail && !detailError && <p aria-live="polite">{t('messages.loading')}</p>}
      {detail && <Thread detail={detail} />}
    </section>
  );
}

function Thread({ detail }: { detail: LocalThreadDetail }) {
  const { t } = useTranslation();
  const me = useSession((s) => s.session?.user?.id);
  const th = detail.thread;
  const others = [...(th.toUnit ? [t('messages.toUnit')] : []), ...th.participants.filter((p) => p.staffId !== me && p.name).map((p) => `${p.name}, ${p.title}`)];
  return (
    <>
      <h2 id="thread-h">{th.subject}</h2>
      <p className="thread-participants">
        {t('messages.participants')}: {others.join('; ')}
      </p>
      <ol className="message-list">
        {detail.messages.map((m) => (
          <Message key={m.id} m={m} mine={m.author.staffId === me} />
        ))}
      </ol>
      <Reply threadId={th.id} unitId={th.unitId} aboutClient={th.clientId !== null && !th.pending} />
    </>
  );
}

function Message({ m, mine }: { m: LocalMessage; mine: boolean }) {
  const { t } = useTranslation();
  return (
    <li className={`message${mine ? ' message-mine' : ''}`}>
      <article aria-label={t('messages.messageOf', { name: m.author.name })}>
        <header className="message-head">
          <strong>{m.author.name}</strong>, {m.author.title} · {swedishDateTime(m.createdAt)}
          {m.pending && <span className="pending-tag">{t('messages.notSent')}</span>}
        </header>
        <p className="message-text">{m.text}</p>
        {m.attachment && <Attachment attachment={m.attachment} />}
        {mine && !m.pending && (
          <p className="message-receipts">
            {m.reads.length > 0 ? m.reads.map((r) => t('messages.readBy', { who: `${r.name} ${swedishDateTime(r.readAt)}` })).join(', ') : t('messages.notRead')}
          </p>
        )}
      </article>
    </li>
  );
}

/** An attached PDF: fetched from the server when opened (a read in its access log), saved in the exports folder. */
function Attachment({ attachment }: { attachment: NonNullable<LocalMessage['attachment']> }) {
  const { t } = useTranslation();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({ busy: false, message: null, failed: false });
  const open = async () => {
    setState({ busy: true, message: null, failed: false });
    const r = await openAttachment(attachment.id);
    setState(r.ok ? { busy: false, message: t('messages.attachmentSaved', { path: r.value.path }), failed: false } : { busy: false, message: errorText(t, r.error, { serverMessage: true }), failed: true });
  };
  const size = attachment.bytes < 1024 * 1024 ? `${Math.max(1, Math.round(attachment.bytes / 1024))} kB` : `${(attachment.bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
  return (
    <div className="message-attachment">
      <button type="button" className="button-quiet" disabled={state.busy} onClick={() => void open()}>
        {t('messages.openAttachment', { kind: t(`messages.attachmentKind_${attachment.kind}`), size })}
      </button>
      {state.message && (
        <p role={state.failed ? 'alert' : 'status'} className={state.failed ? 'notice notice-error' : undefined}>
          {state.message}
        </p>
      )}
    </div>
  );
}

function Reply({ threadId, unitId, aboutClient }: { threadId: string; unitId: string; aboutClient: boolean }) {
  const { t } = useTranslation();
  const reply = useMessages((s) => s.reply);
  const draft = useMessageDraft(threadId, unitId);
  const [error, setError] = useState<AppError | null>(null);
  const [attaching, setAttaching] = useState(false);
  const attach = async (kind: AttachmentKind) => {
    setAttaching(true);
    const r = await attachToThread(threadId, kind, draft.text);
    setAttaching(false);
    if (!r.ok) return setError(r.error.code === 'SERVER_UNREACHABLE' ? { ...r.error, message: t('messages.attachOffline'), origin: 'rule' as const } : r.error);
    setError(null);
    draft.reset();
    useMessages.setState({ detail: r.value });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const failure = await reply(draft.text);
    setError(failure);
    if (!failure) draft.reset();
  };
  return (
    <form className="message-reply" onSubmit={(e) => void submit(e)}>
      <label htmlFor="reply-text">{t('messages.replyLabel')}</label>
      <textarea id="reply-text" rows={4} value={draft.text} onChange={(e) => draft.setText(e.target.value)} />
      {error && <p role="alert" className="notice notice-error">{errorText(t, error, { serverMessage: true })}</p>}
      <div className="form-row">
        <button type="submit" disabled={!draft.text.trim()}>
          {t('messages.send')}
        </button>
        {draft.saved && <span aria-live="polite">{t('messages.draftSaved')}</span>}
      </div>
      {aboutClient && (
        <fieldset className="message-attach">
          <legend>{t('messages.attachHeading')}</legend>
          <p id="attach-hint" className="hint">{t('messages.attachHint')}</p>
          <div className="form-row">
            <button type="button" className="button-quiet" aria-describedby="attach-hint" disabled={attaching} onClick={() => void attach('journal')}>
              {t('messages.attachJournal')}
            </button>
            <button type="button" className="button-quiet" aria-describedby="attach-hint" disabled={attaching} onClick={() => void attach('plan')}>
              {t('messages.attachPlan')}
            </button>
            {attaching && <span aria-live="polite">{t('messages.attaching')}</span>}
          </div>
        </fieldset>
      )}
    </form>
  );
}

function NewThread() {
  const { t } = useTranslation();
  const { params, go } = useNav();
  const units = useSession((s) => s.session?.units ?? []);
  const [unitId, setUnitId] = useState(params.unitId ?? units[0]?.unitId ?? '');
  const about = { clientId: params.clientId ?? null, assignmentId: params.assignmentId ?? null };
  const draft = useMessageDraft(`new:${unitId}:${about.assignmentId ?? about.clientId ?? ''}`, unitId);
  const [error, setError] = useState<AppError | null>(null);
  // No recipient is chosen for the user: the unit's whole inbox is a choice, not a default.
  const [toUnit, setToUnit] = useState(false);
  const [people, setPeople] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const noRecipient = !toUnit && people.length === 0;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (noRecipient) return;
    const r = await startThread({ unitId, subject: draft.subject, text: draft.text, toUnit, participantIds: people, ...about });
    if (!r.ok) return setError(r.error);
    draft.reset();
    go('messages', { threadId: r.value.thread.id });
  };
  return (
    <section aria-labelledby="new-h" className="messages">
      <h2 id="new-h">{t('messages.newThread')}</h2>
      <form className="message-new" onSubmit={(e) => void submit(e)}>
        <label>
          {t('messages.unit')}
          <select
            value={unitId}
            disabled={Boolean(params.unitId)}
            onChange={(e) => {
              setUnitId(e.target.value);
              setPeople([]);
            }}
          >
            {units.map((u) => (
              <option key={u.unitId} value={u.unitId}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <RecipientPicker unitId={unitId} about={about} unitName={units.find((u) => u.unitId === unitId)?.name ?? ''} toUnit={toUnit} onToUnit={setToUnit} selected={people} onSelected={setPeople} />
        {noRecipient && (
          <p id="no-recipient" className={tried ? 'notice notice-error' : 'hint'} role={tried ? 'alert' : undefined}>
            {t('messages.noRecipient')}
          </p>
        )}
        <AboutLine clientId={about.clientId} assignmentId={about.assignmentId} />
        <label>
          {t('messages.subject')}
          <input value={draft.subject} maxLength={200} onChange={(e) => draft.setSubject(e.target.value)} />
        </label>
        <label>
          {t('messages.text')}
          <textarea rows={6} value={draft.text} onChange={(e) => draft.setText(e.target.value)} />
        </label>
        {error && <p role="alert" className="notice notice-error">{errorText(t, error, { serverMessage: true })}</p>}
        <div className="form-row">
          <button type="submit" disabled={!draft.subject.trim() || !draft.text.trim() || !unitId}>
            {t('messages.send')}
          </button>
          <button type="button" className="button-quiet" onClick={() => go('messages')}>
            {t('messages.cancel')}
          </button>
          {draft.saved && <span aria-live="polite">{t('messages.draftSaved')}</span>}
        </div>
      </form>
    </section>
  );
}

/** "Gäller Tolvan Tolvansson, 19121212-1212 · uppdraget Hemtjänst – … (start 2026-12-14)": what the new thread is about, by name (from the store; no server read). */
function AboutLine({ clientId, assignmentId }: { clientId: string | null; assignmentId: string | null }) {
  const { t } = useTranslation();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (!clientId && !assignmentId) return;
    void (async () => {
      const { assignment, client: stored } = await aboutRecords({ clientId, assignmentId });
      const client = stored ?? assignment?.client ?? null;
      const parts = [
        client ? `${client.givenName} ${client.familyName}, ${formatPersonnummer(client.personnummer)}` : t('messages.aboutNotFound'),
        ...(assignment ? [t('messages.aboutAssignmentOf', { services: assignment.services.map((x) => x.name).join(', '), start: assignment.startDate })] : []),
      ];
      if (live) setText(parts.join(' · '));
    })();
    return () => {
      live = false;
    };
  }, [clientId, assignmentId, t]);
  if (!clientId && !assignmentId) return null;
  return (
    <p className="message-about">
      <strong>{t('messages.aboutLabel')}:</strong> {text ?? '…'}
    </p>
  );
}
