import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The text of a PDF as poppler's pdftotext reads it (layout kept): what a reader of the file sees. */
export async function pdfText(pdf: Buffer | string): Promise<string> {
  const dir = typeof pdf === 'string' ? null : await mkdtemp(path.join(tmpdir(), 'omsorg-pdf-'));
  const file = dir ? path.join(dir, 'doc.pdf') : (pdf as string);
  try {
    if (dir) await writeFile(file, pdf as Buffer);
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']);
    return stdout;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
