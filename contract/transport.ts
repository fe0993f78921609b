import { z } from 'zod';

/** Electron IPC: one invoke channel per method, named from the contract. */
export const ipcChannel = (method: string): string => `api:${method}`;
export const IPC_EVENT_CHANNEL = 'api-event';

/** WebSocket frames of the browser host. */
export const WsCall = z.object({
  kind: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  input: z.unknown(),
});
export type WsCall = z.infer<typeof WsCall>;

export const WsReply = z.object({ kind: z.literal('reply'), id: z.number().int(), result: z.unknown() });
export const WsEvent = z.object({ kind: z.literal('event'), name: z.string(), payload: z.unknown() });
export const WsServerFrame = z.discriminatedUnion('kind', [WsReply, WsEvent]);
export type WsServerFrame = z.infer<typeof WsServerFrame>;

/** The per-launch secret travels as a query parameter of the WebSocket URL and the page URL. */
export const HOST_SECRET_PARAM = 'k';
export const WS_PATH = '/ws';
/**
 * Asked by a page whose WebSocket will not open: 204 when its secret is this launch's, 410 when the
 * host was started again since (an old tab: its secret is another launch's).
 */
export const LAUNCH_PATH = '/launch';
/** Where the browser host hands out a file the user asked for (an export), once, with Content-Disposition. */
export const DOWNLOAD_PATH = '/download';
