#!/usr/bin/env bash
# Shared by bench/emit-compare.sh and bench/emit-accuracy.sh (sourced, not run): a veth pair
# between two namespaces of our own, a UDP sink, receiver-side counters, bounded waits, cleanup at exit.
#
# Safety: traffic goes only between the namespaces pgtA (198.18.0.1) and pgtB (198.18.0.2),
# RFC 2544 benchmark addresses on a veth pair that exists only while the script runs.
#
# Nothing waits unbounded: every process started runs under timeout(1) and is waited for with a
# deadline; a server is waited for until it listens (bounded), and one that does not is reported
# as failed; at exit (a trap, also on failure or Ctrl-C) every process still running is ended by
# its PID (its process group: timeout(1) makes one), the namespaces are deleted and $WORK removed.

NS_A=pgtA
NS_B=pgtB
VETH_A=pgtA-veth
VETH_B=pgtB-veth
ADDR_A=198.18.0.1
ADDR_B=198.18.0.2
SINK_PORT=9000
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EMIT=${PKTGEN_EMIT:-$ROOT/native/build/pktgen-emit}
# How long a server may take to listen, and a process to end once asked to.
LISTEN_TIMEOUT_S=${LISTEN_TIMEOUT_S:-5}
STOP_TIMEOUT_S=3
# Background processes of this shell not waited for yet (their PIDs; each leads its process group).
PIDS=()
PAIR_UP=0
WORK=$(mktemp -d)
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
warn() { echo "$(basename "$0"): $*" >&2; }

require_root() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, AF_PACKET)"
  command -v ip >/dev/null || die "needs iproute2 (ip)"
  command -v ss >/dev/null || die "needs iproute2 (ss)"
  command -v timeout >/dev/null || die "needs coreutils (timeout)"
}

# apt-get install for benchmarks only (never in CI): PKG:COMMAND pairs. NO_INSTALL=1 skips it.
# Bounded; a failed install is reported, and the tools it should have brought are then reported
# as failed where they are used.
install_missing() {
  local need=() pair
  for pair in "$@"; do command -v "${pair#*:}" >/dev/null || need+=("${pair%%:*}"); done
  ((${#need[@]})) || return 0
  [ "${NO_INSTALL:-0}" = 1 ] && { warn "not installing ${need[*]} (NO_INSTALL=1)"; return 0; }
  echo "installing ${need[*]} (apt-get)" >&2
  timeout 300 apt-get update -q >/dev/null &&
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${need[@]}" >/dev/null ||
    warn "could not install ${need[*]}"
}

# Starts "$@" in the background, bounded to $1 seconds by timeout(1) (which then sends BG_SIGNAL,
# TERM unless set, and KILL 2 s later); sets BG to its PID. timeout(1) leads a process group of
# its own: stop_pid ends the whole group.
start_bg() {
  local seconds=$1
  shift
  timeout -s "${BG_SIGNAL:-TERM}" -k 2 "$seconds" "$@" </dev/null &
  BG=$!
  PIDS+=("$BG")
}

forget_pid() {
  local pid keep=()
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

# Waits for background process $1 at most $2 seconds; then it is ended (TERM, then KILL).
# Returns its exit status (124 or more when it had to be ended).
wait_bg() {
  local pid=$1 deadline=$((SECONDS + $2)) status=0
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
  wait "$pid" 2>/dev/null || status=$?
  forget_pid "$pid"
  return "$status"
}

# Ends process $1 and its group by PID: TERM, then KILL if it is still there after STOP_TIMEOUT_S.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT_S))
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# Ends background process $1 (if still running) and reaps it.
stop_bg() {
  stop_pid "$1"
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# Waits until namespace $1 has a socket listening on port $3 ($2: tcp or udp), at most
# LISTEN_TIMEOUT_S; fails early if the server, PID $4, has exited.
wait_listening() {
  local ns=$1 proto=$2 port=$3 pid=$4 deadline=$((SECONDS + LISTEN_TIMEOUT_S)) flag=-Hltn
  [ "$proto" = udp ] && flag=-Hlun
  while ((SECONDS < deadline)); do
    [ -n "$(ip netns exec "$ns" ss "$flag" "sport = :$port" 2>/dev/null)" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  if [ "$PAIR_UP" = 1 ]; then
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}

setup_pair() {
  PAIR_UP=1
  # Namespaces left by a run that was killed outright (SIGKILL runs no trap).
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  ip netns add "$NS_A"
  ip netns add "$NS_B"
  ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B"
  ip -n "$NS_A" addr add "$ADDR_A/30" dev "$VETH_A"
  ip -n "$NS_B" addr add "$ADDR_B/30" dev "$VETH_B"
  ip -n "$NS_A" link set lo up
  ip -n "$NS_B" link set lo up
  ip -n "$NS_A" link set "$VETH_A" up
  ip -n "$NS_B" link set "$VETH_B" up
  # Resolve the neighbour once, so every tool starts with it known.
  ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1 || true
  MAC_A=$(ip netns exec "$NS_A" cat "/sys/class/net/$VETH_A/address")
  MAC_B=$(ip netns exec "$NS_B" cat "/sys/class/net/$VETH_B/address")
}

# Builds pktgen-emit if it is not there yet (bounded).
build_emit() {
  [ -x "$EMIT" ] || timeout 300 make -s -C "$ROOT/native" >/dev/null || die "could not build $EMIT (make -C native)"
}

# A socket on $ADDR_B:$SINK_PORT that never reads: the receiving kernel still takes in every
# datagram (InDatagrams until the buffer is full, then RcvbufErrors), at the least cost.
# It lives at most $1 seconds (the whole run), and is waited for until it is bound.
start_sink() {
  start_bg "$1" ip netns exec "$NS_B" taskset -c "${SINK_CPU:-1}" perl -MIO::Socket::INET -e \
    '$s = IO::Socket::INET->new(LocalAddr => "'"$ADDR_B:$SINK_PORT"'", Proto => "udp") or die "sink: $!"; sleep 3600'
  wait_listening "$NS_B" udp "$SINK_PORT" "$BG" || die "the UDP sink (perl) did not bind $ADDR_B:$SINK_PORT within ${LISTEN_TIMEOUT_S} s"
}

# Datagrams the receiving namespace's UDP layer took in (delivered or dropped at a full socket),
# then its checksum errors and the veth's rx packet counter.
rx_counters() {
  ip netns exec "$NS_B" awk '/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) k[$i] = i; h = 1 } else
      printf "%d %d ", $k["InDatagrams"] + $k["RcvbufErrors"], $k["InCsumErrors"] }' /proc/net/snmp
  ip netns exec "$NS_B" cat "/sys/class/net/$VETH_B/statistics/rx_packets"
}

now_ns() { date +%s%N; }

# median of the arguments (numbers)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

machine_line() {
  echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), kernel $(uname -r), $(date -u +%Y-%m-%d)"
}
