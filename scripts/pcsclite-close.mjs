// Mends pcsclite's CardReader close (node_modules/pcsclite, built from source) and rebuilds the addon:
//
//   node scripts/pcsclite-close.mjs [--strict]   (npm runs it after every install: "postinstall";
//                                                 scripts/test.sh with --strict: a failed rebuild stops it)
//
// The addon's close() asks the reader's status thread to stop with SCardCancel and joins it. pcscd
// delivers a cancel only to a client that is already waiting in SCardGetStatusChange; a thread on
// its way back into the wait (it just reported a change) misses it and then waits for the reader's
// next event. The addon cancels five times over 50 ms and then joins without a bound, so under load
// (the thread not scheduled within 50 ms) the join blocked the calling thread until a card went in
// or out of that reader — the hangs of the card-reader and e2e runs (gdb: CardReader::Close →
// uv_thread_join, the status thread in SCardGetStatusChange) and, in the workstation, a frozen main
// thread. Mended: close (and the destructor) cancel every 10 ms until the status thread has left its
// loop, which it tells under the reader's mutex. Idempotent; does nothing where pcsclite is absent.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'node_modules', 'pcsclite');
const MARK = 'omsorg: cancel until the status thread has left its loop';
const cpp = path.join(dir, 'src', 'cardreader.cpp');
const h = path.join(dir, 'src', 'cardreader.h');

/** The C++ that stops the status thread: cancel until it says it left its loop, then join. */
const stopStatusThread = (self, result) => `{
        // ${MARK} (scripts/pcsclite-close.mjs)
        uv_mutex_lock(&${self}m_mutex);
        ${self}m_state = 1;
        while (!${self}m_status_done) {
            ${result}SCardCancel(${self}m_status_card_context);
            uv_cond_timedwait(&${self}m_cond, &${self}m_mutex, 10000000);
        }
        uv_mutex_unlock(&${self}m_mutex);
        assert(uv_thread_join(&${self}m_status_thread) == 0);`;

/** The published constructor's initializer indent. */
const PAD = ' '.repeat(56);

const EDITS = [
  [h, '        int m_state;\n};', '        int m_state;\n        int m_status_done;\n};'],
  // The thread handle starts at 0 (the published constructor leaves it unset, and the destructor tests it).
  [
    cpp,
    `${PAD}m_name(reader_name),\n${PAD}m_state(0) {`,
    `${PAD}m_name(reader_name),\n${PAD}m_status_thread(0),\n${PAD}m_state(0),\n${PAD}m_status_done(0) {`,
  ],
  [cpp, `    if (m_status_thread) {
        SCardCancel(m_card_context);
        assert(uv_thread_join(&m_status_thread) == 0);`, `    if (m_status_thread) ${stopStatusThread('', '')}`],
  [cpp, `    if (obj->m_status_thread) {
        uv_mutex_lock(&obj->m_mutex);
        if (obj->m_state == 0) {
            int ret;
            int times = 0;
            obj->m_state = 1;
            do {
                result = SCardCancel(obj->m_status_card_context);
                ret = uv_cond_timedwait(&obj->m_cond, &obj->m_mutex, 10000000);
            } while ((ret != 0) && (++ times < 5));
        }

        uv_mutex_unlock(&obj->m_mutex);
        assert(uv_thread_join(&obj->m_status_thread) == 0);`, `    if (obj->m_status_thread) ${stopStatusThread('obj->', 'result = ')}`],
  [cpp, '    uv_async_init(uv_default_loop(), &async_baton->async, (uv_async_cb)HandleReaderStatusChange);', '    obj->m_status_done = 0;\n    uv_async_init(uv_default_loop(), &async_baton->async, (uv_async_cb)HandleReaderStatusChange);'],
  [cpp, `        card_reader_state.dwCurrentState = card_reader_state.dwEventState;
    }
`, `        card_reader_state.dwCurrentState = card_reader_state.dwEventState;
    }

    uv_mutex_lock(&reader->m_mutex);
    reader->m_status_done = 1;
    uv_cond_signal(&reader->m_cond);
    uv_mutex_unlock(&reader->m_mutex);
`],
];

if (!existsSync(cpp) || !existsSync(h)) {
  console.log('pcsclite finns inte i node_modules; inget att laga.');
  process.exit(0);
}
const strict = process.argv.includes('--strict');
if (!readFileSync(cpp, 'utf8').includes(MARK)) {
  const files = new Map([h, cpp].map((f) => [f, readFileSync(f, 'utf8')]));
  for (const [file, from, to] of EDITS) {
    const text = files.get(file);
    if (!text.includes(from)) {
      console.error(`pcsclite: ${path.relative(dir, file)} ser inte ut som väntat (en annan version?); stängningen lagas inte.`);
      process.exit(1);
    }
    files.set(file, text.replace(from, to));
  }
  for (const [file, text] of files) writeFileSync(file, text);
}
// Built from the mended source? (An edit whose rebuild failed is rebuilt on the next run.)
const addon = path.join(dir, 'build', 'Release', 'pcsclite.node');
if (!existsSync(addon) || statSync(addon).mtimeMs < statSync(cpp).mtimeMs) {
  console.log('pcsclite: CardReader.close lagad (väntar inte längre förgäves på statustråden); bygger om tillägget…');
  try {
    // Under npm (postinstall) its own CLI through node; by hand, npm (through the shell on Windows, for npm.cmd).
    const args = ['rebuild', 'pcsclite', '--foreground-scripts'];
    const opts = { cwd: path.resolve(dir, '..', '..'), stdio: 'inherit' };
    if (process.env.npm_execpath?.endsWith('.js')) execFileSync(process.execPath, [process.env.npm_execpath, ...args], opts);
    else execFileSync('npm', args, { ...opts, shell: process.platform === 'win32' });
  } catch {
    // npm install goes on (the reader stack then says what is missing); scripts/test.sh (--strict) stops.
    console.error('pcsclite kunde inte byggas om (se utskriften ovan): kör `node scripts/pcsclite-close.mjs` igen när byggverktygen finns.');
    process.exit(strict ? 1 : 0);
  }
}
