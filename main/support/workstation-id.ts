import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Uuid } from '#contract';

/**
 * This workstation's support id: a random UUID kept in its data folder (`workstation-id`), made
 * at the first report. It says which machine a report is from and nothing about the machine or
 * its user (no host name, which often carries a person's name).
 */
export async function workstationId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'workstation-id');
  try {
    const id = Uuid.safeParse((await readFile(file, 'utf8')).trim());
    if (id.success) return id.data;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const id = randomUUID();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${id}\n`, { mode: 0o600 });
  return id;
}
