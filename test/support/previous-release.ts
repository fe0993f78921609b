/**
 * The previous release, for the previous-version tests (issue 33): the repository as it was at a
 * named commit, unpacked by `git archive` into a temporary folder at test time (fast and offline:
 * the commit is in this repository's history), sharing this checkout's node_modules. Its server
 * runs as that release ran it: `tsx server/main.ts` from that folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/**
 * API version 1: the last commit before the version handshake (72c9bd9, "API version handshake,
 * server half"). A newer release names its own predecessor here.
 */
export const PREVIOUS_RELEASE = { commit: 'd6552d8', apiVersion: 1 } as const;

/** Unpacks `commit` into a new folder (node_modules linked to this checkout's); returns it and how to remove it. */
export async function unpackRelease(commit: string): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), `release-${commit}-`));
  const tar = path.join(dir, 'release.tar');
  await run('git', ['-C', repo, 'archive', '--format=tar', `--output=${tar}`, commit], { timeout: 60_000 });
  await run('tar', ['-xf', tar, '-C', dir], { timeout: 60_000 });
  rmSync(tar);
  symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
