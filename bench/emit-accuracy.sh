#!/usr/bin/env bash
# Rate accuracy and round-trip latency of pktgen-emit on a veth pair between two namespaces of
# our own (pgtA -> pgtB):
#   1. --rate 100 and 500 Mbit/s of 1500-byte frames (UDP-GSO, the default for one frame size,
#      and plain UDP), achieved rate counted at the receiver: every datagram pgtB's UDP layer
#      took in over the whole run, x frame bytes, / duration. Goal: within 0.5 %.
#   2. RTT percentiles at 100k packets/s of 64-byte frames (--latency) through
#      `pktgen-emit reflect` in pgtB, blocking and with --spin-us. Goal: p50 <= 10 us.
#
#   sudo bench/emit-accuracy.sh           # RUNS=3 DURATION=3 by default
#   RUNS=1 DURATION=1 sudo bench/emit-accuracy.sh   # a short run
# Every sender is bounded by timeout(1); the reflector is waited for until it is bound. A run that
# fails (or a reflector that does not start) is reported as failed, the others go on, and the
# script exits 1 at the end. Needs root; removes its namespaces at exit, even on failure.
set -euo pipefail
source "$(dirname "$0")/emit-lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
FRAME=1504 # 1500-byte L2 frame + FCS: pktgen-emit's --size and rates count the FCS
RTT_FRAME=68 # 64-byte L2 frame + FCS
RTT_PPS=100000
REFLECT_PORT=7000
SENDER_LIMIT_S=$((DURATION + 1 + 15)) # warm-up, duration and slack; past it a run fails
FAILED=0

require_root
build_emit
setup_pair
# The sink outlives every run: 8 rate runs and 2 reflectors' runs, each bounded.
start_sink $((RUNS * 10 * (SENDER_LIMIT_S + 1) + 2 * LISTEN_TIMEOUT_S + 60))

summary_field() { grep '"event":"summary"' | grep -o "\"$1\":[^,}]*" | cut -d: -f2; }

# Runs pktgen-emit send in pgtA on CPU 0, bounded; OUT = its output. Returns 1, with WHY set, if it failed.
send() {
  local status=0
  OUT=$(timeout --foreground -k 2 "$SENDER_LIMIT_S" ip netns exec "$NS_A" taskset -c 0 "$EMIT" send "$@" 2>&1) || status=$?
  ((status == 0)) && return 0
  WHY="pktgen-emit send exited with status $status$( ((status >= 124)) && echo ' (ended by its time limit)'): $(tail -c 300 <<<"$OUT")"
  return 1
}

# "FAILED" rows count; a median of nothing is not printed as a figure.
failed() {
  FAILED=1
  echo "  $1: FAILED: $WHY" >&2
}

machine_line
echo
echo "rate accuracy: $FRAME-byte frames (FCS included), ${DURATION} s, counted at the receiver; median of $RUNS"
for rate in 100 500; do
  for path in gso udp; do
    flags=()
    [ "$path" = udp ] && flags=(--no-gso)
    errors=()
    for _ in $(seq "$RUNS"); do
      read -r -a c1 <<<"$(rx_counters)"
      if ! send "${flags[@]}" --dst "$ADDR_B:$SINK_PORT" --rate "$rate" --duration "$DURATION" --size "$FRAME"; then
        failed "$rate Mbit/s $path"
        continue
      fi
      sleep 0.2
      read -r -a c2 <<<"$(rx_counters)"
      got=$(awk -v n=$((c2[0] - c1[0])) -v f=$FRAME -v d="$DURATION" 'BEGIN { printf "%.4f", n * f * 8 / d / 1e6 }')
      err=$(awk -v g="$got" -v r="$rate" 'BEGIN { printf "%.4f", (g / r - 1) * 100 }')
      errors+=("$err")
      echo "  $rate Mbit/s $path: receiver $got Mbit/s ($err %), sender mode $(summary_field mode <<<"$OUT"), stalls $(summary_field stalls <<<"$OUT")" >&2
    done
    if ((${#errors[@]} == 0)); then
      printf '  %3d Mbit/s %-4s failed\n' "$rate" "$path"
      continue
    fi
    med=$(median "${errors[@]}")
    printf '  %3d Mbit/s %-4s receiver error (median of %d) %+.3f %%  (goal within 0.5 %%: %s)\n' "$rate" "$path" "${#errors[@]}" "$med" \
      "$(awk -v e="$med" 'BEGIN { print (e < 0 ? -e : e) <= 0.5 ? "met" : "NOT met" }')"
  done
done

echo
rate=$(awk -v p=$RTT_PPS -v f=$RTT_FRAME 'BEGIN { print p * f * 8 / 1e6 }')
echo "RTT: $RTT_PPS packets/s of $RTT_FRAME-byte frames (--rate $rate --latency), ${DURATION} s after 1 s of warm-up, through the reflector"
for spin in 0 200; do
  start_bg $((RUNS * (SENDER_LIMIT_S + 1) + LISTEN_TIMEOUT_S + 10)) ip netns exec "$NS_B" taskset -c 1 \
    "$EMIT" reflect --bind "$ADDR_B:$REFLECT_PORT" --allow 198.18.0.0/15 --spin-us "$spin" >"$WORK/reflect" 2>&1
  REFLECTOR=$BG
  if ! wait_listening "$NS_B" udp "$REFLECT_PORT" "$REFLECTOR"; then
    WHY="the reflector did not bind $ADDR_B:$REFLECT_PORT within ${LISTEN_TIMEOUT_S} s: $(tail -c 300 "$WORK/reflect")"
    failed "reflector --spin-us $spin"
    stop_bg "$REFLECTOR"
    printf '  reflector --spin-us %-3s failed\n' "$spin"
    continue
  fi
  p50s=()
  for _ in $(seq "$RUNS"); do
    if ! send --dst "$ADDR_B:$REFLECT_PORT" --rate "$rate" --size "$RTT_FRAME" --latency --warmup 1 --duration "$DURATION"; then
      failed "RTT through the reflector --spin-us $spin"
      continue
    fi
    rtt=$(grep -o '"rtt_us":{[^}]*}' <<<"$OUT" | sed 's/"rtt_us"://; s/"//g') || true
    p50=$(grep -o 'p50:[0-9.]*' <<<"$rtt" | cut -d: -f2) || true
    if [ -z "$p50" ]; then
      WHY="no RTT in its summary: $(tail -c 300 <<<"$OUT")"
      failed "RTT through the reflector --spin-us $spin"
      continue
    fi
    p50s+=("$p50")
    echo "  reflector --spin-us $spin: loss $(summary_field loss_ratio <<<"$OUT"), tx $(summary_field tx_mpps_mean <<<"$OUT") Mpps, rtt_us $rtt"
  done
  stop_bg "$REFLECTOR"
  if ((${#p50s[@]} == 0)); then
    printf '  reflector --spin-us %-3s failed\n' "$spin"
    continue
  fi
  med=$(median "${p50s[@]}")
  printf '  reflector --spin-us %-3s RTT p50 (median of %d) %.2f us  (goal <= 10 us: %s)\n' "$spin" "${#p50s[@]}" "$med" \
    "$(awk -v p="$med" 'BEGIN { print p <= 10 ? "met" : "NOT met" }')"
done
((FAILED == 0)) || die "some runs failed (above): their figures are missing"
