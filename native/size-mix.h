/* SPDX-License-Identifier: MIT */
/*
 * A weighted mix of frame sizes (`--sizes 64:7,594:4,1518:1`). Pure: no syscalls, no clock.
 * Unit-tested by unit-test.c.
 *
 * The frames follow one fixed order of `total` (the sum of the weights) positions, built by
 * smooth weighted round robin: each size appears exactly `weight` times per period and its
 * frames are spread through it (IMIX: 64 594 64 1518 64 594 64 ..., never 7 small then 4
 * medium). Packet number seq sends the size at position seq % total, so the mix is exact over
 * every window of whole periods and within one frame per size over any window, and a packet the
 * socket did not take is chosen again, unchanged, for the next send.
 */
#ifndef PKTGEN_SIZE_MIX_H
#define PKTGEN_SIZE_MIX_H

#include <stdint.h>

#define SIZE_MIX_MAX 16u            /* sizes in one mix */
#define SIZE_MIX_WEIGHT_MAX 10000u  /* sum of the weights: one period */

struct size_mix {
	unsigned count; /* 0: no mix */
	unsigned size[SIZE_MIX_MAX];
	unsigned weight[SIZE_MIX_MAX];
	unsigned total;
	uint8_t order[SIZE_MIX_WEIGHT_MAX]; /* index into size[] for each position of a period */
};

/*
 * Parses SIZE:WEIGHT[,SIZE:WEIGHT...] (a bare SIZE weighs 1), each size within lo..hi, into mix
 * and builds its order. Returns NULL, or why the text is refused (a static string).
 */
const char *size_mix_parse(const char *text, unsigned lo, unsigned hi, struct size_mix *mix);

/* The frame size of packet number seq. */
static inline unsigned size_mix_frame(const struct size_mix *mix, uint64_t seq)
{
	return mix->size[mix->order[seq % mix->total]];
}

/* The mean frame, bytes, weighted. */
double size_mix_mean(const struct size_mix *mix);

/* Packets of size index i among packet numbers [from, to). */
uint64_t size_mix_count(const struct size_mix *mix, unsigned i, uint64_t from, uint64_t to);

#endif
