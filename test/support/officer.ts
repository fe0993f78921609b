import { Assignment, OfficerLoginResponse, assignmentPath, officerRoutes, type OfficerAction, type SendAssignment } from '../../contract/assignments';
import { ChallengeResponse } from '../../contract/auth';
import { readFile } from 'node:fs/promises';
import { CardFile } from '../../native/softcard/card-file';
import { loginToken } from '../unit/server/auth-suite';

/** The case officer over the server's HTTP API (docs/assignments.md), logged in with her card file. */
export interface Officer {
  send(input: SendAssignment): Promise<Assignment>;
  get(id: string): Promise<Assignment>;
  act(id: string, action: OfficerAction): Promise<Assignment>;
}

export async function officerLogin(serverUrl: string, cardFile: string): Promise<Officer> {
  const card = CardFile.parse(JSON.parse(await readFile(cardFile, 'utf8')));
  const origin = new URL(serverUrl).origin;
  const json = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const res = await fetch(`${serverUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    });
    const body: unknown = await res.json();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const { nonce } = ChallengeResponse.parse(await json('/api/v1/auth/challenge', { method: 'POST', body: '{}' }));
  const { token } = OfficerLoginResponse.parse(
    await json(officerRoutes.login.path, { method: 'POST', body: JSON.stringify(await loginToken(card, nonce, origin, 'HANDLÄGGARE')) }),
  );
  return {
    send: async (input) => Assignment.parse(await json(officerRoutes.send.path, { method: 'POST', body: JSON.stringify(input), token })),
    get: async (id) => Assignment.parse(await json(assignmentPath(officerRoutes.get.path, id), { token })),
    act: async (id, action) =>
      Assignment.parse(await json(assignmentPath(officerRoutes.act.path, id), { method: 'POST', body: JSON.stringify(action), token })),
  };
}

/** YYYY-MM-DD in Sweden, `offset` days from today. */
export const swedishDay = (offset = 0) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + offset * 86_400_000),
  );
