#!/usr/bin/env bash
# Shared by bench/emit-compare.sh and bench/emit-accuracy.sh (sourced, not run): a veth pair
# between two namespaces of our own, a UDP sink, receiver-side counters, cleanup at exit.
#
# Safety: traffic goes only between the namespaces pgtA (198.18.0.1) and pgtB (198.18.0.2),
# RFC 2544 benchmark addresses on a veth pair that exists only while the script runs.

NS_A=pgtA
NS_B=pgtB
VETH_A=pgtA-veth
VETH_B=pgtB-veth
ADDR_A=198.18.0.1
ADDR_B=198.18.0.2
SINK_PORT=9000
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EMIT=${PKTGEN_EMIT:-$ROOT/native/build/pktgen-emit}
PIDS=()

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, AF_PACKET)"
  command -v ip >/dev/null || die "needs iproute2 (ip)"
}

# apt-get install for benchmarks only (never in CI): PKG:COMMAND pairs.
install_missing() {
  local need=() pair
  for pair in "$@"; do command -v "${pair#*:}" >/dev/null || need+=("${pair%%:*}"); done
  ((${#need[@]})) || return 0
  echo "installing ${need[*]} (apt-get)" >&2
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
}

setup_pair() {
  cleanup
  trap cleanup EXIT
  trap 'exit 130' INT TERM
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

# A socket on $ADDR_B:$SINK_PORT that never reads: the receiving kernel still takes in every
# datagram (InDatagrams until the buffer is full, then RcvbufErrors), at the least cost.
start_sink() {
  ip netns exec "$NS_B" taskset -c "${SINK_CPU:-1}" perl -MIO::Socket::INET -e \
    '$s = IO::Socket::INET->new(LocalAddr => "'"$ADDR_B:$SINK_PORT"'", Proto => "udp") or die "sink: $!"; sleep 3600' &
  PIDS+=($!)
  sleep 0.3
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
