import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * OpenSC (`pkcs15-tool`, Debian package `opensc`) as an independent oracle for our PKCS#15
 * reader and software card: its own configuration file with the default driver enabled (so any
 * PKCS#15 card is read by ISO 7816 alone, as a card without a dedicated OpenSC driver is), no
 * file cache (every run reads the card), and a parser for the object listings it prints.
 */
const run = promisify(execFile);

let conf: string | undefined;
export function openscConf(opts: { debug?: number; debugFile?: string; drivers?: string[] } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'opensc-'));
  const path = join(dir, 'opensc.conf');
  writeFileSync(
    path,
    `app default {
  debug = ${opts.debug ?? 0};
  ${opts.debugFile ? `debug_file = ${opts.debugFile};` : ''}
  enable_default_driver = true;
  ${opts.drivers ? `card_drivers = ${opts.drivers.join(', ')};` : ''}
  framework pkcs15 {
    use_file_caching = no;
  }
}
`,
  );
  return path;
}

export interface Pkcs15ToolResult {
  /** The exit code (0 = every action succeeded). */
  code: number;
  stdout: string;
  stderr: string;
  /** Objects listed, by section header ("X.509 Certificate", "Private RSA Key", "PIN", …). */
  objects: { kind: string; label: string; fields: Record<string, string> }[];
  /** PEM blocks printed by --read-certificate / --read-public-key, as DER. */
  pem: { type: string; der: Buffer }[];
  ms: number;
}

/** Runs pkcs15-tool with `args` against reader index `reader` (0 = Virtual PCD 00 00). */
export async function pkcs15Tool(args: string[], opts: { reader?: number; conf?: string } = {}): Promise<Pkcs15ToolResult> {
  conf = opts.conf ?? (conf ??= openscConf());
  const t0 = performance.now();
  const { code, stdout, stderr } = await run('pkcs15-tool', ['--reader', String(opts.reader ?? 0), '--no-cache', ...args], {
    env: { ...process.env, OPENSC_CONF: conf },
    timeout: 20_000,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) }),
  );
  const ms = performance.now() - t0;
  return { code, stdout, stderr, objects: parseObjects(stdout), pem: parsePem(stdout), ms };
}

function parseObjects(out: string): Pkcs15ToolResult['objects'] {
  const objects: Pkcs15ToolResult['objects'] = [];
  let cur: Pkcs15ToolResult['objects'][number] | undefined;
  for (const line of out.split('\n')) {
    const head = /^(X\.509 Certificate|Private \w+ Key|Public \w+ Key|PIN) \[(.*)\]\s*$/.exec(line);
    if (head) {
      cur = { kind: head[1]!, label: head[2]!, fields: {} };
      objects.push(cur);
      continue;
    }
    const field = /^\s+([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (field && cur) cur.fields[field[1]!] = field[2]!.trim();
    else if (!/^\s/.test(line)) cur = undefined;
  }
  return objects;
}

function parsePem(out: string): Pkcs15ToolResult['pem'] {
  return [...out.matchAll(/-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/g)].map((m) => ({
    type: m[1]!,
    der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'),
  }));
}
