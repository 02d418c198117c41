#!/usr/bin/env bash
# Packet rate of pktgen-emit (raw, UDP, UDP+GSO) against trafgen and iperf3 -u -b 0, side by
# side in one run, on a veth pair between two namespaces of our own (pgtA -> pgtB), counted at
# the receiver: datagrams the UDP layer of pgtB took in (InDatagrams + RcvbufErrors; a GSO burst
# counts as its segments there, unlike the veth rx counter, which is shown for reference).
#
#   sudo bench/emit-compare.sh            # 64 and 1500 B, median of 3, 3-second windows
#   RUNS=5 DURATION=5 SIZES="64 512 1500" sudo bench/emit-compare.sh
#   RUNS=1 DURATION=1 SIZES=64 TOOLS="pktgen-udp iperf3" sudo bench/emit-compare.sh   # a short run
#
# Sizes are L2 frames without FCS, as in bench/PERF-BASELINE.md (64 B = 22 B of UDP payload);
# pktgen-emit's --size counts the FCS, so it gets size + 4. Every sender runs on CPU 0, the
# receivers on CPU 1. Installs trafgen (netsniff-ng) and iperf3 with apt-get if missing
# (NO_INSTALL=1: not).
# Every sender is bounded by timeout(1); iperf3's server is waited for until it listens. A tool
# that fails to start, or fails, is reported as failed for that round, the others go on, and the
# script exits 1 at the end. Needs root; removes its namespaces at exit, even on failure.
set -euo pipefail
source "$(dirname "$0")/emit-lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
SIZES=${SIZES:-"64 1500"}
TOOLS=${TOOLS:-"pktgen-raw pktgen-udp pktgen-gso trafgen iperf3"}
RUN_S=$((DURATION + 2)) # each sender runs this long; the window is [1 s, 1 s + DURATION]
SENDER_LIMIT_S=$((RUN_S + 10)) # past this a sender is ended and its round failed
IPERF_PORT=5201

require_root
install_missing netsniff-ng:trafgen iperf3:iperf3
build_emit
setup_pair
read -r -a size_list <<<"$SIZES"
read -r -a tool_list <<<"$TOOLS"
# The sink outlives every round: each takes at most the sender's limit, a server's start and its end.
start_sink $((RUNS * ${#size_list[@]} * ${#tool_list[@]} * (SENDER_LIMIT_S + LISTEN_TIMEOUT_S + 10) + 60))

# Starts one sender for RUN_S seconds in the background: SENDER is its PID, SERVER iperf3's
# server's (or empty). Returns 1, with WHY set, when the tool cannot start.
start_sender() {
  local tool=$1 l2=$2 payload=$(($2 - 42))
  local a=(ip netns exec "$NS_A" taskset -c 0)
  SERVER=
  case $tool in
  pktgen-*) [ -x "$EMIT" ] || { WHY="$EMIT is missing"; return 1; } ;;
  *) command -v "$tool" >/dev/null || { WHY="$tool is not installed"; return 1; } ;;
  esac
  case $tool in
  pktgen-raw) start_bg "$SENDER_LIMIT_S" "${a[@]}" "$EMIT" send --interface "$VETH_A" --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 ;;
  pktgen-udp) start_bg "$SENDER_LIMIT_S" "${a[@]}" "$EMIT" send --no-gso --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 ;;
  pktgen-gso) start_bg "$SENDER_LIMIT_S" "${a[@]}" "$EMIT" send --dst "$ADDR_B:$SINK_PORT" --rate 0 --duration "$RUN_S" --size $((l2 + 4)) >"$WORK/out" 2>&1 ;;
  trafgen)
    echo "{ eth(da=$MAC_B, sa=$MAC_A), ipv4(sa=$ADDR_A, da=$ADDR_B, ttl=64, df), udp(sp=40000, dp=$SINK_PORT), fill(0x61, $payload) }" >"$WORK/trafgen.cfg"
    # trafgen has no duration: timeout(1) stops it with SIGINT, as Ctrl-C would.
    BG_SIGNAL=INT start_bg "$RUN_S" "${a[@]}" trafgen --dev "$VETH_A" --conf "$WORK/trafgen.cfg" --cpus 1 --no-sock-mem --notouch-irq --no-cpu-stats >"$WORK/out" 2>&1 ;;
  iperf3)
    start_bg "$SENDER_LIMIT_S" ip netns exec "$NS_B" taskset -c 1 iperf3 -s -B "$ADDR_B" -p "$IPERF_PORT" -1 >"$WORK/server" 2>&1
    SERVER=$BG
    # The client only once the server listens: started before, it fails and the server waits for ever.
    if ! wait_listening "$NS_B" tcp "$IPERF_PORT" "$SERVER"; then
      WHY="the iperf3 server did not listen on $ADDR_B:$IPERF_PORT within ${LISTEN_TIMEOUT_S} s: $(tail -c 300 "$WORK/server")"
      stop_bg "$SERVER"
      SERVER=
      return 1
    fi
    start_bg "$SENDER_LIMIT_S" "${a[@]}" iperf3 -c "$ADDR_B" -p "$IPERF_PORT" --connect-timeout 3000 -u -b 0 -l "$payload" -t "$RUN_S" >"$WORK/out" 2>&1 ;;
  *) WHY="unknown tool $tool (one of pktgen-raw pktgen-udp pktgen-gso trafgen iperf3)"; return 1 ;;
  esac
  SENDER=$BG
}

# Measures one tool at one size: RESULT = "pps veth_pps csum_errors"; returns 1, with WHY set,
# when the tool failed to start or failed.
measure() {
  local tool=$1 c1 c2 t1 t2 status=0
  WHY=
  start_sender "$tool" "$2" || return 1
  sleep 1
  t1=$(now_ns); read -r -a c1 <<<"$(rx_counters)"
  sleep "$DURATION"
  t2=$(now_ns); read -r -a c2 <<<"$(rx_counters)"
  wait_bg "$SENDER" "$SENDER_LIMIT_S" || status=$?
  # The iperf3 server (-1) leaves after its test; one whose client failed is ended here.
  [ -z "$SERVER" ] || wait_bg "$SERVER" 5 || true
  # trafgen ends by timeout(1)'s SIGINT, which timeout reports as 124.
  if ((status != 0)) && ! [[ $tool == trafgen && $status == 124 ]]; then
    WHY="$tool exited with status $status$( ((status >= 124)) && echo ' (ended by its time limit)'): $(tail -c 300 "$WORK/out")"
    return 1
  fi
  if [ "$tool" = pktgen-raw ] && ! grep -q '"mode":"raw"' "$WORK/out"; then
    WHY="raw mode did not run: $(tail -c 300 "$WORK/out")"
    return 1
  fi
  RESULT=$(awk -v d=$((c2[0] - c1[0])) -v v=$((c2[2] - c1[2])) -v e=$((c2[1] - c1[1])) -v ns=$((t2 - t1)) \
    'BEGIN { printf "%.0f %.0f %d\n", d / ns * 1e9, v / ns * 1e9, e }')
}

machine_line
echo "window ${DURATION} s, median of $RUNS rounds (tools interleaved within a round)"
declare -A PPS VETH FAILS
FAILED=0
for size in "${size_list[@]}"; do
  for run in $(seq "$RUNS"); do
    for tool in "${tool_list[@]}"; do
      if ! measure "$tool" "$size"; then
        FAILS[$tool,$size]=$((${FAILS[$tool,$size]:-0} + 1))
        FAILED=1
        echo "  round $run, $size B, $tool: FAILED: $WHY" >&2
        continue
      fi
      read -r pps veth errors <<<"$RESULT"
      ((errors == 0)) || die "$tool at $size B: $errors checksum errors at the receiver"
      PPS[$tool,$size]="${PPS[$tool,$size]:-} $pps"
      VETH[$tool,$size]="${VETH[$tool,$size]:-} $veth"
      echo "  round $run, $size B, $tool: $pps pps (veth rx $veth pps)" >&2
    done
  done
done

printf '\n%-12s' sender
for size in "${size_list[@]}"; do printf ' %14s' "$size B Mpps"; done
echo
declare -A MED
for tool in "${tool_list[@]}"; do
  printf '%-12s' "$tool"
  for size in "${size_list[@]}"; do
    if [ -z "${PPS[$tool,$size]:-}" ]; then
      printf ' %14s' failed
      continue
    fi
    # shellcheck disable=SC2086
    MED[$tool,$size]=$(median ${PPS[$tool,$size]})
    printf ' %14.3f' "$(awk -v p="${MED[$tool,$size]}" 'BEGIN { print p / 1e6 }')"
    [ -z "${FAILS[$tool,$size]:-}" ] || printf ' (%d of %d rounds failed)' "${FAILS[$tool,$size]}" "$RUNS"
  done
  echo
done

ratio() {
  if [ -z "${MED[$1,$3]:-}" ] || [ -z "${MED[$2,$3]:-}" ]; then
    echo "n/a (not measured)"
    return
  fi
  awk -v a="${MED[$1,$3]}" -v b="${MED[$2,$3]}" -v goal="$4" \
    'BEGIN { r = b > 0 ? a / b : 0; printf "%.2fx (goal >= %sx: %s)", r, goal, (r >= goal ? "met" : "NOT met") }'
}
echo
for size in "${size_list[@]}"; do
  echo "$size B: raw/trafgen $(ratio pktgen-raw trafgen "$size" 1.1); UDP/iperf3 $(ratio pktgen-udp iperf3 "$size" 1.5); UDP-GSO/iperf3 $(ratio pktgen-gso iperf3 "$size" 5)"
done
((FAILED == 0)) || die "some rounds failed (above): their figures are missing"
