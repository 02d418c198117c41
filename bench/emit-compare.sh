#!/usr/bin/env bash
# Packet rate of pktgen-emit (raw, UDP, UDP+GSO) against trafgen and iperf3 -u -b 0, side by
# side in one run, on a veth pair between two namespaces of our own (pgtA -> pgtB), counted at
# the receiver: datagrams the UDP layer of pgtB took in (InDatagrams + RcvbufErrors; a GSO burst
# counts as its segments there, unlike the veth rx counter, which is shown for reference).
#
#   sudo bench/emit-compare.sh            # 64 and 1500 B, median of 3, 3-second windows
#   RUNS=5 DURATION=5 SIZES="64 512 1500" sudo bench/emit-compare.sh
#
# Sizes are L2 frames without FCS, as in bench/PERF-BASELINE.md (64 B = 22 B of UDP payload);
# pktgen-emit's --size counts the FCS, so it gets size + 4. Every sender runs on CPU 0, the
# receivers on CPU 1. Installs trafgen (netsniff-ng) and iperf3 with apt-get if missing.
# Needs root; removes its namespaces at exit, even on failure.
set -euo pipefail
source "$(dirname "$0")/emit-lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
SIZES=${SIZES:-"64 1500"}
TOOLS="pktgen-raw pktgen-udp pktgen-gso trafgen iperf3"
RUN_S=$((DURATION + 2)) # each sender runs this long; the window is [1 s, 1 s + DURATION]
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' RETURN

require_root
install_missing netsniff-ng:trafgen iperf3:iperf3
[ -x "$EMIT" ] || make -s -C "$ROOT/native" >/dev/null
setup_pair
start_sink

# Starts one sender for RUN_S seconds in the background; sets SENDER to its pid.
start_sender() {
  local tool=$1 l2=$2 payload=$(($2 - 42))
  local a=(ip netns exec "$NS_A" taskset -c 0)
  case $tool in
  pktgen-raw) "${a[@]}" "$EMIT" send --interface "$VETH_A" --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 & ;;
  pktgen-udp) "${a[@]}" "$EMIT" send --no-gso --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 & ;;
  pktgen-gso) "${a[@]}" "$EMIT" send --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 & ;;
  trafgen)
    echo "{ eth(da=$MAC_B, sa=$MAC_A), ipv4(sa=$ADDR_A, da=$ADDR_B, ttl=64, df), udp(sp=40000, dp=$SINK_PORT), fill(0x61, $payload) }" >"$WORK/trafgen.cfg"
    timeout -s INT "$RUN_S" "${a[@]}" trafgen --dev "$VETH_A" --conf "$WORK/trafgen.cfg" --cpus 1 --no-sock-mem --notouch-irq --no-cpu-stats >"$WORK/out" 2>&1 & ;;
  iperf3)
    ip netns exec "$NS_B" taskset -c 1 iperf3 -s -B "$ADDR_B" -p 5201 -1 >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.3
    "${a[@]}" iperf3 -c "$ADDR_B" -p 5201 -u -b 0 -l "$payload" -t "$RUN_S" >"$WORK/out" 2>&1 & ;;
  esac
  SENDER=$!
  PIDS+=("$SENDER")
}

# Measures one tool at one size: prints "pps veth_pps csum_errors".
measure() {
  local c1 c2 t1 t2
  start_sender "$1" "$2"
  sleep 1
  t1=$(now_ns); read -r -a c1 <<<"$(rx_counters)"
  sleep "$DURATION"
  t2=$(now_ns); read -r -a c2 <<<"$(rx_counters)"
  wait "$SENDER" 2>/dev/null || true
  wait 2>/dev/null || true # the iperf3 server (-1) leaves after its test
  [ "$1" != pktgen-raw ] || grep -q '"mode":"raw"' "$WORK/out" || die "raw mode did not run: $(cat "$WORK/out")"
  awk -v d=$((c2[0] - c1[0])) -v v=$((c2[2] - c1[2])) -v e=$((c2[1] - c1[1])) -v ns=$((t2 - t1)) \
    'BEGIN { printf "%.0f %.0f %d\n", d / ns * 1e9, v / ns * 1e9, e }'
}

machine_line
echo "window ${DURATION} s, median of $RUNS rounds (tools interleaved within a round)"
declare -A PPS VETH
for size in $SIZES; do
  for run in $(seq "$RUNS"); do
    for tool in $TOOLS; do
      read -r pps veth errors <<<"$(measure "$tool" "$size")"
      ((errors == 0)) || die "$tool at $size B: $errors checksum errors at the receiver"
      PPS[$tool,$size]="${PPS[$tool,$size]:-} $pps"
      VETH[$tool,$size]="${VETH[$tool,$size]:-} $veth"
      echo "  round $run, $size B, $tool: $pps pps (veth rx $veth pps)" >&2
    done
  done
done

printf '\n%-12s' sender
for size in $SIZES; do printf ' %14s' "$size B Mpps"; done
echo
declare -A MED
for tool in $TOOLS; do
  printf '%-12s' "$tool"
  for size in $SIZES; do
    # shellcheck disable=SC2086
    MED[$tool,$size]=$(median ${PPS[$tool,$size]})
    printf ' %14.3f' "$(awk -v p="${MED[$tool,$size]}" 'BEGIN { print p / 1e6 }')"
  done
  echo
done

ratio() { awk -v a="${MED[$1,$3]}" -v b="${MED[$2,$3]}" -v goal="$4" \
  'BEGIN { r = b > 0 ? a / b : 0; printf "%.2fx (goal >= %sx: %s)", r, goal, (r >= goal ? "met" : "NOT met") }'; }
echo
for size in $SIZES; do
  echo "$size B: raw/trafgen $(ratio pktgen-raw trafgen "$size" 1.1); UDP/iperf3 $(ratio pktgen-udp iperf3 "$size" 1.5); UDP-GSO/iperf3 $(ratio pktgen-gso iperf3 "$size" 5)"
done
