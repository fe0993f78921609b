#!/usr/bin/env bash
# The README's commands on a new machine (issue 31): a fresh Debian chroot of this host's release
# where nothing was installed by hand, in its own network + mount namespace (its pcscd, PostgreSQL
# and servers never touch this host's). Root only.
#
#   bash scripts/new-machine.sh [COMMIT] [both|start-then-test|then-test|then-bench|test-alone|network]   (default HEAD, both)
#
# The machine: `debootstrap` of the host's Debian release with the nodejs package's own dependencies
# (python3, ca-certificates) and build-essential, as our machines' image has it (NEW_MACHINE_PACKAGES;
# without a compiler `npm install` cannot build better-sqlite3 where its prebuilt binary cannot be
# downloaded from GitHub, as on our build machines), cached as a pristine tarball in NEW_MACHINE_DIR
# (default /var/tmp/omsorg-new-machine; debootstrap takes minutes, so it is made once). Each sequence gets a
# fresh copy of it plus what a new machine of our kind comes with: this host's Node installation
# (the nodejs package's files, registered with dpkg, and its npm), npm's configuration (/usr/etc/npmrc,
# /etc/npmrc, /root/.npmrc), apt's sources and the network's CA certificates and apt settings — and
# nothing else. The repository is cloned into it at COMMIT (/root/omsorgsportalen), and the README's
# commands run there as written:
#   start-then-test: `npm install && npm start` (npm start until it prints "Klar på …" and its URL
#                    answers, then stopped), then `npm test`;
#   then-test:       only `npm test` in machine 1 as start-then-test left it (to go on after it);
#   test-alone:      `npm test` on a fresh clone in a second fresh copy;
#   then-bench:      in machine 1 as start-then-test left it, `npm run bench -- login` and
#                    `npm run bench -- startup` (each benchmark brings its own configuration);
#   network:         only a check that the machine reaches the npm registry and the Debian mirror.
# Each command is bounded in time and logged to NEW_MACHINE_LOGS (default a new folder under /tmp);
# one line per step. The exit code is 0 when every step passed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse --verify "${1:-HEAD}^{commit}") || exit 2
which=${2:-both}
dir=${NEW_MACHINE_DIR:-/var/tmp/omsorg-new-machine}
logs=${NEW_MACHINE_LOGS:-$(mktemp -d /tmp/omsorg-new-machine-XXXXXX)}
install_limit=${NEW_MACHINE_INSTALL_TIMEOUT_S:-1800}
start_limit=${NEW_MACHINE_START_TIMEOUT_S:-600}
test_limit=${NEW_MACHINE_TEST_TIMEOUT_S:-5400}
[ "$(id -u)" -eq 0 ] || { echo "new-machine: kräver root (debootstrap, chroot, namnrymder) / needs root" >&2; exit 2; }
case "$which" in both | start-then-test | then-test | then-bench | test-alone | network) ;; *) echo "new-machine: okänd sekvens / unknown sequence: $which" >&2; exit 2 ;; esac
for tool in debootstrap unshare ip iptables tar; do
  command -v "$tool" >/dev/null || { echo "new-machine: $tool saknas / missing (apt-get install -y debootstrap iproute2 iptables)" >&2; exit 2; }
done
mkdir -p "$dir" "$logs"
. /etc/os-release
say() { echo "[new-machine $(date -u +%H:%M:%S)] $*" | tee -a "$logs/summary.txt"; }
vitest_counts() { sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E '^ +(Test Files|Tests) ' | sed 's/^ *//; s/ *(.*//' | paste -sd ';' | sed 's/;/; /g'; }

# (a) The pristine base, made once.
# The base's packages beyond debootstrap's: the nodejs package's own dependencies and the compiler.
packages=${NEW_MACHINE_PACKAGES:-ca-certificates,python3,build-essential}
base="$dir/base-$VERSION_CODENAME-$(echo "$packages" | tr ',' '+').tar"
if [ ! -s "$base" ]; then
  t0=$(date +%s)
  rm -rf "$dir/debootstrap"
  if debootstrap --include="$packages" "$VERSION_CODENAME" "$dir/debootstrap" http://deb.debian.org/debian >"$logs/debootstrap.log" 2>&1 &&
    tar -C "$dir/debootstrap" -cf "$base.tmp" . && mv "$base.tmp" "$base"; then
    rm -rf "$dir/debootstrap"
    say "debootstrap $VERSION_CODENAME: ok, $(($(date +%s) - t0)) s (cachad / cached: $base)"
  else
    say "debootstrap $VERSION_CODENAME: FEL / FAILED (logg / log: $logs/debootstrap.log)"
    exit 1
  fi
fi

# A fresh machine from the base: Node as preinstalled, npm's and apt's configuration, the clone.
new_machine() { # root
  local root=$1
  rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base" || return 1
  # Node: the files of the nodejs package as they are on this host (its npm was updated in place),
  # and the package's entry in dpkg's status, so apt knows it is there.
  dpkg-query -L nodejs | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "${f#/}"; done >"$root/.node-files"
  (cd / && find usr/lib/node_modules usr/include/node -mindepth 0 >>"$root/.node-files")
  tar -C / --no-recursion -cf - -T "$root/.node-files" | tar -C "$root" -xf - && rm "$root/.node-files" || return 1
  { echo; dpkg-query -s nodejs; } >>"$root/var/lib/dpkg/status"
  cp -a /var/lib/dpkg/info/nodejs.* "$root/var/lib/dpkg/info/" 2>/dev/null
  # npm's configuration as on this host (registry, CA file, nodedir).
  for f in /usr/etc/npmrc /etc/npmrc /root/.npmrc; do [ -f "$f" ] && mkdir -p "$root$(dirname "$f")" && cp -a "$f" "$root$f"; done
  # The network: apt's sources and settings, and the CA certificates its egress needs.
  rm -f "$root/etc/apt/sources.list"
  cp -a /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  [ -f /etc/apt/sources.list ] && cp -a /etc/apt/sources.list "$root/etc/apt/"
  [ -f /etc/apt/apt.conf.d/99artifact-registry ] && cp -a /etc/apt/apt.conf.d/99artifact-registry "$root/etc/apt/apt.conf.d/"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1
  # The repository at COMMIT, as a fresh clone.
  git clone -q --no-hardlinks "$repo" "$root/root/omsorgsportalen" &&
    git -C "$root/root/omsorgsportalen" checkout -q -B main "$commit"
}

# Runs a shell command in the machine: its own network namespace (loopback, plus a veth with NAT to
# reach the Debian mirror and the npm registry; nothing on this host is reachable from it) and mount
# namespace (/ a mount point; /proc, /sys, /dev, /dev/pts, /run as tmpfs), with a clean environment.
ns_seq=0
in_machine() { # root, limit, log, command
  local root=$1 limit=$2 log=$3 cmd=$4 rc
  ns_seq=$((ns_seq + 1))
  local ns="omsorg-nm-$$-$ns_seq" net="10.231.$((($$ + ns_seq) % 250)).0"
  local host_ip="${net%.0}.1" ns_ip="${net%.0}.2" veth="onm$(($$ % 10000))x$ns_seq" out
  out=$(ip route show default | awk '{print $5; exit}')
  ip netns add "$ns" || return 1
  ip link add "$veth" type veth peer name eth0 netns "$ns" &&
    ip addr add "$host_ip/30" dev "$veth" && ip link set "$veth" up &&
    ip -n "$ns" link set lo up && ip -n "$ns" addr add "$ns_ip/30" dev eth0 && ip -n "$ns" link set eth0 up &&
    ip -n "$ns" route add default via "$host_ip" &&
    iptables -t nat -A POSTROUTING -s "$net/30" -o "$out" -j MASQUERADE &&
    iptables -I INPUT -i "$veth" -j DROP || { ip netns del "$ns"; return 1; }
  ip netns exec "$ns" timeout --kill-after=30 "$limit" unshare -m --propagation private bash -c '
    root=$1; cmd=$2
    # Its / a mount point, as on a machine (unshare -m in the tests changes its propagation).
    mount --bind "$root" "$root" && mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" &&
      mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
      mount -t tmpfs tmpfs "$root/dev/shm" && mount -t tmpfs tmpfs "$root/run" || exit 1
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 TERM=dumb bash -c "cd /root/omsorgsportalen && $cmd"
  ' in-machine "$root" "$cmd" >"$log" 2>&1
  rc=$?
  # What the command left running in the machine (pcscd, PostgreSQL, servers) ends with it.
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  sleep 1
  iptables -D INPUT -i "$veth" -j DROP
  iptables -t nat -D POSTROUTING -s "$net/30" -o "$out" -j MASQUERADE
  ip netns del "$ns"
  return $rc
}

step() { # name, root, limit, command — one line with the result
  local name=$1 root=$2 limit=$3 cmd=$4 log="$logs/$5.log" t0 rc counts
  t0=$(date +%s)
  in_machine "$root" "$limit" "$log" "$cmd"
  rc=$?
  counts=$(vitest_counts "$log")
  if [ $rc -eq 0 ]; then
    say "$name: ok / godkänt, $(($(date +%s) - t0)) s${counts:+ — $counts} (logg / log: $log)"
  else
    local why=$rc
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && why="timeout $limit s"
    say "$name: FEL / FAILED ($why), $(($(date +%s) - t0)) s${counts:+ — $counts} (logg / log: $log)"
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×|npm error|Error)' | head -15 | tee -a "$logs/summary.txt"
  fi
  return $rc
}

# `npm start` until it is ready: its last line "Klar på …", and the workstation's URL answers 200.
# Then it is stopped (SIGTERM); any other exit, or an error line ("[server] fel: …",
# "Arbetsstationen kunde inte starta", an Error), fails the step.
start_check='
npm install && {
  setsid npm start >/tmp/npm-start.out 2>&1 &
  pid=$!
  for i in $(seq 1 '"$start_limit"'); do grep -q "^Klar på " /tmp/npm-start.out && break; kill -0 $pid 2>/dev/null || break; sleep 1; done
  cat /tmp/npm-start.out
  url=$(sed -n "s/^Öppna arbetsstationen: //p" /tmp/npm-start.out | head -1)
  ok=0
  if grep -q "^Klar på " /tmp/npm-start.out && [ -n "$url" ]; then
    node -e "fetch(process.argv[1]).then(r => { console.log(\"svar / response:\", r.status); process.exit(r.ok ? 0 : 1) }, e => { console.error(e.message); process.exit(1) })" "$url" && ok=1
  fi
  grep -E "(^|\] )fel[: ]|[Ee]rror|kunde inte starta" /tmp/npm-start.out && ok=0
  kill -TERM -- -$pid 2>/dev/null; wait $pid
  [ $ok = 1 ] && echo "npm start: klar och svarar / ready and serving"
  [ $ok = 1 ]
}'

status=0
if [ "$which" = network ]; then
  root="$dir/machine-network"
  new_machine "$root" && step "nätverk / network: npm ping, apt-get update" "$root" 300 "npm ping && apt-get update -qq && echo ok" 0-network
  exit $?
fi
say "maskin / machine: Debian $VERSION_ID ($VERSION_CODENAME) chroot (debootstrap + $packages), node $(node -v), npm $(npm -v); commit $(git -C "$repo" log -1 --format='%h %s' "$commit" | cut -c1-80); loggar / logs: $logs"
if [ "$which" = both ] || [ "$which" = start-then-test ]; then
  root="$dir/machine-start-then-test"
  if new_machine "$root"; then
    say "maskin 1 / machine 1 ($root): ny kopia, klon på / fresh copy, clone at ${commit:0:7}"
    if step "maskin 1: npm install && npm start" "$root" "$((install_limit + start_limit))" "$start_check" 1-install-start; then
      step "maskin 1: npm test (efter / after npm install && npm start)" "$root" "$test_limit" "npm test" 1-test || status=1
    else
      status=1
    fi
  else
    say "maskin 1 / machine 1: kunde inte skapas / could not be made"; status=1
  fi
fi
if [ "$which" = then-test ]; then
  root="$dir/machine-start-then-test"
  if [ -d "$root/root/omsorgsportalen/node_modules" ]; then
    say "maskin 1 / machine 1 ($root): som start-then-test lämnade den / as start-then-test left it, klonen på / clone at $(git -C "$root/root/omsorgsportalen" rev-parse --short HEAD)"
    step "maskin 1: npm test (efter / after npm install && npm start)" "$root" "$test_limit" "npm test" 1-test || status=1
  else
    say "maskin 1 / machine 1: finns inte, kör start-then-test först / missing, run start-then-test first"; status=1
  fi
fi
if [ "$which" = then-bench ]; then
  root="$dir/machine-start-then-test"
  if [ -d "$root/root/omsorgsportalen/node_modules" ]; then
    say "maskin 1 / machine 1 ($root): som start-then-test lämnade den / as start-then-test left it, klonen på / clone at $(git -C "$root/root/omsorgsportalen" rev-parse --short HEAD)"
    step "maskin 1: npm run bench -- login" "$root" 1800 "npm run bench -- login" 1-bench-login || status=1
    step "maskin 1: npm run bench -- startup" "$root" 1800 "npm run bench -- startup" 1-bench-startup || status=1
  else
    say "maskin 1 / machine 1: finns inte, kör start-then-test först / missing, run start-then-test first"; status=1
  fi
fi
if [ "$which" = both ] || [ "$which" = test-alone ]; then
  root="$dir/machine-test-alone"
  if new_machine "$root"; then
    say "maskin 2 / machine 2 ($root): ny kopia, klon på / fresh copy, clone at ${commit:0:7}"
    step "maskin 2: npm test (ensamt på en ny klon / alone on a fresh clone)" "$root" "$test_limit" "npm test" 2-test || status=1
  else
    say "maskin 2 / machine 2: kunde inte skapas / could not be made"; status=1
  fi
fi
say "klart / done: $([ $status -eq 0 ] && echo 'allt godkänt / all passed' || echo 'något steg föll / a step failed')"
exit $status
