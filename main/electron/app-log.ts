import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { maskPersonalData } from '#contract';

/**
 * The installed app's own log (docs/windows.md, "Log and crash dumps"): there is no console on
 * Windows, so the workstation's log lines (JSON, English, no personal data by construction) and
 * the shell's own errors go to `omsorgsportalen.log` in Electron's logs folder
 * (%APPDATA%\Omsorgsportalen\logs). Every line is masked once more (anything shaped like a
 * personnummer, as the server's log does) before it is written, and the file rotates: at `maxBytes`
 * it becomes `.1`, `.1` becomes `.2` …, and the oldest beyond `keep` is deleted — a few MiB at most.
 */
export const LOG_FILE = 'omsorgsportalen.log';

export interface RotatingLog {
  readonly file: string;
  write(line: string): void;
}

export function createRotatingLog(opts: { dir: string; maxBytes?: number; keep?: number }): RotatingLog {
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const keep = opts.keep ?? 4;
  const file = path.join(opts.dir, LOG_FILE);
  try {
    mkdirSync(opts.dir, { recursive: true });
  } catch {
    // write() then fails quietly too: no log is no reason not to start.
  }
  let size = (() => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  })();
  const rotate = () => {
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch {
        // not there yet
      }
    }
    renameSync(file, `${file}.1`);
    size = 0;
  };
  return {
    file,
    write(line) {
      const text = `${maskPersonalData(line.replace(/\r?\n/g, ' '))}\n`;
      const bytes = Buffer.byteLength(text);
      try {
        if (size > 0 && size + bytes > maxBytes) rotate();
        appendFileSync(file, text);
        size += bytes;
      } catch {
        // A log that cannot be written (disk full, folder gone) must not stop the workstation.
      }
    },
  };
}

/** A shell error as one log line: the message and stack, masked by write(). */
export const errorLine = (msg: string, e: unknown): string =>
  JSON.stringify({ level: 'error', time: new Date().toISOString(), msg, error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) });

/**
 * When the app last crashed: the newest minidump Electron's crash reporter wrote (crashReporter
 * with uploadToServer false keeps them in app.getPath('crashDumps'), under reports/ on Windows).
 * Only the time: the dump's contents (memory) never leave the PC by the app.
 */
export function lastCrashAt(crashDumps: string): string | null {
  let newest = 0;
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.dmp')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(crashDumps, 0);
  return newest ? new Date(newest).toISOString() : null;
}
