import { readFile } from 'node:fs/promises';
import { CardFile } from '../../native/softcard/card-file';
import { officerLogin as login, type OfficerApi } from '../../tools/officer/api';

/** The case officer over the server's HTTP API (docs/assignments.md), logged in with her card file. */
export type Officer = OfficerApi;

/** Logs in as `npm run officer` does: her card file signs the server's challenge through the card stack. */
export async function officerLogin(serverUrl: string, cardFile: string): Promise<Officer> {
  const card = CardFile.parse(JSON.parse(await readFile(cardFile, 'utf8')));
  return (await login({ server: serverUrl, card })).api;
}
