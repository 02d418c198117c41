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
# Needs root; removes its namespaces at exit, even on failure.
set -euo pipefail
source "$(dirname "$0")/emit-lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
FRAME=1504 # 1500-byte L2 frame + FCS: pktgen-emit's --size and rates count the FCS
RTT_FRAME=68 # 64-byte L2 frame + FCS
RTT_PPS=100000
REFLECT_PORT=7000

require_root
[ -x "$EMIT" ] || make -s -C "$ROOT/native" >/dev/null
setup_pair
start_sink

summary_field() { grep '"event":"summary"' | grep -o "\"$1\":[^,}]*" | cut -d: -f2; }

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
      out=$(ip netns exec "$NS_A" taskset -c 0 "$EMIT" send "${flags[@]}" --dst "$ADDR_B:$SINK_PORT" --rate "$rate" \
        --duration "$DURATION" --size "$FRAME")
      sleep 0.2
      read -r -a c2 <<<"$(rx_counters)"
      got=$(awk -v n=$((c2[0] - c1[0])) -v f=$FRAME -v d="$DURATION" 'BEGIN { printf "%.4f", n * f * 8 / d / 1e6 }')
      err=$(awk -v g="$got" -v r="$rate" 'BEGIN { printf "%.4f", (g / r - 1) * 100 }')
      errors+=("$err")
      echo "  $rate Mbit/s $path: receiver $got Mbit/s ($err %), sender mode $(echo "$out" | summary_field mode), stalls $(echo "$out" | summary_field stalls)" >&2
    done
    med=$(median "${errors[@]}")
    printf '  %3d Mbit/s %-4s receiver error (median) %+.3f %%  (goal within 0.5 %%: %s)\n' "$rate" "$path" "$med" \
      "$(awk -v e="$med" 'BEGIN { print (e < 0 ? -e : e) <= 0.5 ? "met" : "NOT met" }')"
  done
done

echo
rate=$(awk -v p=$RTT_PPS -v f=$RTT_FRAME 'BEGIN { print p * f * 8 / 1e6 }')
echo "RTT: $RTT_PPS packets/s of $RTT_FRAME-byte frames (--rate $rate --latency), ${DURATION} s after 1 s of warm-up, through the reflector"
for spin in 0 200; do
  ip netns exec "$NS_B" taskset -c 1 "$EMIT" reflect --bind "$ADDR_B:$REFLECT_PORT" --allow 198.18.0.0/15 --spin-us "$spin" >/dev/null &
  PIDS+=($!)
  REFLECTOR=$!
  sleep 0.3
  p50s=()
  for _ in $(seq "$RUNS"); do
    out=$(ip netns exec "$NS_A" taskset -c 0 "$EMIT" send --dst "$ADDR_B:$REFLECT_PORT" --rate "$rate" --size "$RTT_FRAME" \
      --latency --warmup 1 --duration "$DURATION")
    rtt=$(echo "$out" | grep -o '"rtt_us":{[^}]*}' | sed 's/"rtt_us"://; s/"//g')
    p50s+=("$(echo "$rtt" | grep -o 'p50:[0-9.]*' | cut -d: -f2)")
    echo "  reflector --spin-us $spin: loss $(echo "$out" | summary_field loss_ratio), tx $(echo "$out" | summary_field tx_mpps_mean) Mpps, rtt_us $rtt"
  done
  kill "$REFLECTOR"
  wait "$REFLECTOR" 2>/dev/null || true
  med=$(median "${p50s[@]}")
  printf '  reflector --spin-us %-3s RTT p50 (median of %d) %.2f us  (goal <= 10 us: %s)\n' "$spin" "$RUNS" "$med" \
    "$(awk -v p="$med" 'BEGIN { print p <= 10 ? "met" : "NOT met" }')"
done
