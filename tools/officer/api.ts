import type { z } from 'zod';
import {
  type AttachmentContent,
  type Assignment,
  type AssignmentListResponse,
  type OfficerLoginResponse,
  assignmentPath,
  officerRoutes,
  type OfficerAction,
  type SendAssignment,
  officerPlanRoutes,
  type OfficerPlan,
  type OfficerPlanListItem,
  type PlanUnitStats,
  messageRoutes,
  noticeRoutes,
  type PublishNotice,
  type StartThreadBody,
  type ThreadDetail,
  type ThreadListResponse,
} from '#contract';
import { createServerClient, type RouteSpec } from '../../main/server-client';
import { signedLoginRequest } from '../../main/session/card-login';
import { CardService, type DigestsByHash } from '../../native';
import { DemoInProcessReader, SoftCard, type CardFile } from '../../native/softcard';

/** The case officer's API (docs/assignments.md), every answer checked against the contract. */
export interface OfficerApi {
  list(query: Record<string, string>): Promise<AssignmentListResponse>;
  get(id: string): Promise<Assignment>;
  send(input: SendAssignment): Promise<Assignment>;
  act(id: string, action: OfficerAction): Promise<Assignment>;
  plans(clientId: string): Promise<{ plans: OfficerPlanListItem[] }>;
  plan(id: string): Promise<OfficerPlan>;
  planStats(): Promise<{ units: PlanUnitStats[]; at: string }>;
  /** Her secure messages (docs/messages.md). */
  messages: {
    list(query: Record<string, string>): Promise<ThreadListResponse>;
    get(id: string): Promise<ThreadDetail>;
    start(input: z.input<typeof StartThreadBody>): Promise<ThreadDetail>;
    reply(id: string, input: { text: string }): Promise<ThreadDetail>;
    markRead(id: string): Promise<{ marked: number }>;
    attachment(id: string): Promise<AttachmentContent>;
  };
  /** The notice board (docs/messages.md). */
  notices: {
    publish(input: z.input<typeof PublishNotice>): Promise<{ noticeId: string; units: number }>;
    withdraw(noticeId: string): Promise<{ noticeId: string; units: number }>;
  };
}

export interface OfficerLogin {
  api: OfficerApi;
  user: OfficerLoginResponse['user'];
}

/** What the officer's calls and login show in the server's access log as the workstation. */
export const OFFICER_WORKSTATION = 'officer-cli';

/**
 * Logs in as the case officer with her card file and answers her API. Over the workstation's own
 * server client (main/server-client.ts) and login token (main/session/card-login.ts); the card
 * file is a software card in an in-process reader, signing through the same card stack
 * (native CardService, PKCS#15 profile, PIN verify) as a real card. The file is only read: retry
 * counters are not written back. Failures are AppFailure with the server's code and message.
 */
export async function officerLogin(opts: { server: string; card: CardFile; origin?: string }): Promise<OfficerLogin> {
  const server = createServerClient(opts.server, { workstation: OFFICER_WORKSTATION });
  const body = await signedLoginRequest(server, (digests) => signWithCardFile(opts.card, digests), {
    ...(opts.origin ? { origin: opts.origin } : {}),
    workstation: OFFICER_WORKSTATION,
  });
  const { token, user } = await server.call(officerRoutes.login, { body });
  // A route of the contract with its path filled in (an id, a query string).
  const call = <R extends z.ZodType>(route: RouteSpec<R>, path: string, callBody?: unknown): Promise<z.infer<R>> =>
    server.call({ ...route, path }, { token, ...(callBody === undefined ? {} : { body: callBody }) });
  return {
    user,
    api: {
      list: (query) => call(officerRoutes.list, `${officerRoutes.list.path}?${new URLSearchParams(query).toString()}`),
      get: (id) => call(officerRoutes.get, assignmentPath(officerRoutes.get.path, id)),
      send: (input) => call(officerRoutes.send, officerRoutes.send.path, input),
      act: (id, action) => call(officerRoutes.act, assignmentPath(officerRoutes.act.path, id), action),
      plans: (clientId) => call(officerPlanRoutes.list, officerPlanRoutes.list.path.replace(':clientId', encodeURIComponent(clientId))),
      plan: (id) => call(officerPlanRoutes.get, assignmentPath(officerPlanRoutes.get.path, id)),
      planStats: () => call(officerPlanRoutes.stats, officerPlanRoutes.stats.path),
      messages: {
        list: (query) => call(messageRoutes.list, `${messageRoutes.list.path}?${new URLSearchParams(query).toString()}`),
        get: (id) => call(messageRoutes.get, assignmentPath(messageRoutes.get.path, id)),
        start: (input) => call(messageRoutes.start, messageRoutes.start.path, input),
        reply: (id, input) => call(messageRoutes.reply, assignmentPath(messageRoutes.reply.path, id), input),
        markRead: (id) => call(messageRoutes.read, assignmentPath(messageRoutes.read.path, id), {}),
        attachment: (id) => call(messageRoutes.attachment, assignmentPath(messageRoutes.attachment.path, id)),
      },
      notices: {
        publish: (input) => call(noticeRoutes.publish, noticeRoutes.publish.path, input),
        withdraw: (id) => call(noticeRoutes.withdraw, assignmentPath(noticeRoutes.withdraw.path, id), {}),
      },
    },
  };
}

async function signWithCardFile(card: CardFile, digests: DigestsByHash) {
  const reader = new DemoInProcessReader('Handläggarens kortfil');
  reader.insert(new SoftCard(card));
  const service = new CardService(reader);
  try {
    return await service.sign(reader.readerName, new TextEncoder().encode(card.pin.value), digests, 'SHA-256');
  } finally {
    await service.close();
  }
}
