import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { swedishDateTime as when, type ThreadDetail, type ThreadListResponse } from '#contract';
import type { OfficerApi } from './api';
import { CliError, shortId, type Out } from './format';

/**
 * The case officer's messages (docs/messages.md): `messages` lists her threads, `read ID` shows one
 * with who read what and marks it read, `reply ID --text`, and `send --subject --text` with
 * `--assignment ID` (the assignment's unit inbox, about its client), `--client PERSONNUMMER` or
 * `--unit UNIT_ID`. `send` without `--subject` is the assignment's `send` (commands.ts).
 * `attachment ATTACHMENT_ID [--out FILE]` saves a message's PDF (the id `read` prints).
 */
export const MESSAGE_COMMANDS = ['messages', 'read', 'reply', 'attachment'] as const;
const KIND_SV = { journal: 'Journalutdrag', plan: 'Genomförandeplan' } as const;
export type MessageCommand = (typeof MESSAGE_COMMANDS)[number] | 'send';

const isFullId = (s: string) => /^[0-9a-f-]{36}$/i.test(s);

/** The full id of the one thread of hers whose id is or begins with `id`. */
async function resolveThread(api: OfficerApi, command: string, id: string | undefined): Promise<string> {
  if (!id) throw new CliError(`Ange samtalets id: npm run officer -- ${command} ID …`);
  if (isFullId(id)) return id.toLowerCase();
  if (!/^[0-9a-f]{4,35}$/i.test(id)) throw new CliError(`Ogiltigt id: ${id}`);
  const matches = (await api.messages.list({ limit: '200' })).threads.map((t) => t.id).filter((x) => x.startsWith(id.toLowerCase()));
  if (matches.length === 0) throw new CliError(`Inget samtal har id som börjar på ${id}.`);
  if (matches.length > 1) throw new CliError(`Flera samtal har id som börjar på ${id}; ange fler tecken.`);
  return matches[0]!;
}

function printThreads(list: ThreadListResponse, io: Out): void {
  if (list.threads.length === 0) {
    io.out('Inga samtal.');
    return;
  }
  for (const t of list.threads) {
    const unread = t.unread > 0 ? `${t.unread} olästa` : 'lästa';
    io.out(`${shortId(t.id)}  ${when(t.lastMessageAt)}  ${unread.padEnd(10)}  ${t.subject}${t.toUnit ? '  (enhetens inkorg)' : ''}`);
  }
}

export function printThread(d: ThreadDetail, io: Out, me: string): void {
  const to = [...(d.thread.toUnit ? ['enhetens inkorg'] : []), ...d.thread.participants.filter((p) => p.staffId !== me).map((p) => p.name)];
  io.out(`Samtal ${shortId(d.thread.id)}: ${d.thread.subject}`);
  io.out(`Deltagare: ${to.join(', ') || '–'}`);
  for (const m of d.messages) {
    io.out('');
    io.out(`${when(m.createdAt)}  ${m.author.name}, ${m.author.title}`);
    for (const line of m.text.split('\n')) io.out(`  ${line}`);
    if (m.attachment) io.out(`  Bilaga: ${KIND_SV[m.attachment.kind]}, PDF ${Math.max(1, Math.round(m.attachment.bytes / 1024))} kB (npm run officer -- attachment ${m.attachment.id})`);
    if (m.author.staffId === me) io.out(m.reads.length ? `  Läst av: ${m.reads.map((r) => `${r.name} ${when(r.readAt)}`).join(', ')}` : '  Ej läst ännu');
  }
}

/** The options the message commands read (the command line's, commands.ts's CommandOptions). */
export interface MessageCommandOptions {
  client?: string;
  unit?: string;
  text?: string;
  limit?: string;
  subject?: string;
  assignment?: string;
  search?: string;
  out?: string;
}

export async function runMessageCommand(api: OfficerApi, command: MessageCommand, idArg: string | undefined, o: MessageCommandOptions, io: Out, me: string): Promise<void> {
  switch (command) {
    case 'attachment': {
      if (!idArg || !isFullId(idArg)) throw new CliError('attachment behöver bilagans id (det som read skriver ut).');
      const a = await api.messages.attachment(idArg);
      const file = path.resolve(o.out ?? a.fileName);
      await writeFile(file, Buffer.from(a.content, 'base64'), { mode: 0o600 });
      io.out(`${KIND_SV[a.kind]} sparad: ${file} (${a.bytes} byte). Hämtningen är loggad.`);
      return;
    }
    case 'messages': {
      printThreads(await api.messages.list({ limit: o.limit ?? '50', ...(o.search ? { q: o.search } : {}) }), io);
      return;
    }
    case 'read': {
      const id = await resolveThread(api, command, idArg);
      const d = await api.messages.get(id);
      const { marked } = await api.messages.markRead(id);
      printThread(d, io, me);
      if (marked > 0) io.err(`${marked} meddelanden markerade som lästa.`);
      return;
    }
    case 'reply': {
      if (!o.text) throw new CliError('reply behöver --text "…".');
      const d = await api.messages.reply(await resolveThread(api, command, idArg), { text: o.text });
      io.out('Svaret har skickats.');
      printThread(d, io, me);
      return;
    }
    case 'send': {
      if (!o.subject || !o.text) throw new CliError('send (meddelande) behöver --subject "…" och --text "…".');
      let about: { assignmentId?: string; clientId?: string; unitId?: string } = {};
      if (o.assignment) {
        const id = o.assignment;
        const match = isFullId(id) ? id : (await api.list({ limit: '500' })).items.find((a) => a.id.startsWith(id.toLowerCase()))?.id;
        if (!match) throw new CliError(`Inget uppdrag har id som börjar på ${id}.`);
        about = { assignmentId: match };
      } else if (o.client) {
        const a = (await api.list({ client: o.client, limit: '1' })).items[0];
        if (!a) throw new CliError(`Ingen brukare med uppdrag matchar ${o.client}.`);
        about = { clientId: a.clientId };
      } else if (o.unit) about = { unitId: o.unit };
      else throw new CliError('send (meddelande) behöver --assignment ID, --client PERSONNUMMER eller --unit ENHETS-ID.');
      const d = await api.messages.start({ subject: o.subject, text: o.text, toUnit: true, ...about });
      io.out('Meddelandet har skickats till enhetens inkorg.');
      printThread(d, io, me);
      return;
    }
  }
}
