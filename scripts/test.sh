#!/usr/bin/env bash
# The one test command (`npm test`): installs what the tests need on Debian/Ubuntu, then runs
# lint (with the layering rules), the type check, the renderer build and every test — unit,
# integration (real PostgreSQL, real pcscd + vpcd + software card) and e2e (Debian Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# Every Debian package whose programs the tests, benchmarks and scripts run (the table in
# test/unit/packaging/system-programs.test.ts maps each program they call to one of these, and
# fails when one is missing here): PostgreSQL, Chromium, pcscd + vpcd + the PC/SC headers and
# build tools for pcsclite, OpenSC, SoftHSM2, poppler's pdftotext, openssl, PgBouncer, git (the previous
# release is unpacked from the history for the previous-version tests), Perl's YubiKey OTP decoder
# (Auth::Yubikey_Decrypter, the independent check of our OTPs), gdb (a test child that will not stop
# has its threads printed before it is killed, test/support/stop-child.ts), and the small tools
# (chattr, taskset, unshare, runuser, ip) that are there on most machines but not on every one.
apt_packages=(
  postgresql chromium pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc softhsm2
  poppler-utils openssl e2fsprogs util-linux iproute2 build-essential python3 pgbouncer git gdb
  libauth-yubikey-decrypter-perl
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Saknade systempaket: ${missing[*]}. Installera dem (sudo apt-get install -y ${missing[*]}) och kör igen." >&2
    exit 1
  fi
  echo "Installerar systempaket: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages: a fresh install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The optional native addons (pcsclite, pkcs11js) are built from source at install; where their
# build failed (e.g. `npm install` ran before libpcsclite-dev was there) npm left them out. Now
# that the system packages above are installed they can build: install them again (npm install
# puts back what the lock file has and node_modules lacks; `npm rebuild` cannot rebuild a
# package that is not there).
optional_addons=(pcsclite/build/Release/pcsclite.node pkcs11js)
addon_missing() { ! node -e 'require(process.argv[1])' "$1" >/dev/null 2>&1; }
broken=()
for addon in "${optional_addons[@]}"; do
  if addon_missing "$addon"; then broken+=("${addon%%/*}"); fi
done
if ((${#broken[@]})); then
  echo "Installerar om npm-paket som saknas eller inte är byggda: ${broken[*]}"
  for b in "${broken[@]}"; do rm -rf "node_modules/$b"; done
  npm install --no-audit --no-fund --foreground-scripts
  for addon in "${optional_addons[@]}"; do
    if addon_missing "$addon"; then
      echo "${addon%%/*} kunde inte byggas av npm install (se utskriften ovan); kortläsarens tester kan inte köras." >&2
      exit 1
    fi
  done
fi

# pcsclite's CardReader.close mended and the addon rebuilt, where an install from before the mend
# left it as published (scripts/pcsclite-close.mjs; npm install runs it too, as postinstall).
node scripts/pcsclite-close.mjs --strict

# Lint and the type check at the same time: each keeps about one core busy for half a minute or
# more, and the machine has two. The type check's output is printed after lint's.
typecheck_log=$(mktemp)
npm run typecheck >"$typecheck_log" 2>&1 &
typecheck=$!
checks=0
npm run lint || checks=$?
wait "$typecheck" || checks=$?
cat "$typecheck_log"
rm -f "$typecheck_log"
if ((checks)); then exit "$checks"; fi
npm run build

# The tests in three runs (the projects are in vitest.config.ts):
# 1. the unit tests that time the main thread's stalls, alone on an idle machine;
# 2. at the same time: the files that use the one card reader (pcscd/vpcd integration tests and
#    e2e in Chromium), one at a time, and beside them the unit and database-only integration tests,
#    one at a time too (two cores: the reader's files spend much of their time waiting on the
#    browser, the server and the card). Its output is printed when both are done.
npx vitest run --project unit-timing
rest_log=$(mktemp)
npx vitest run --project unit --project integration-db --maxWorkers=1 >"$rest_log" 2>&1 &
rest=$!
status=0
npx vitest run --project integration --project e2e || status=$?
wait "$rest" || status=$?
cat "$rest_log"
rm -f "$rest_log"
exit "$status"
