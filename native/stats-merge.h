/* SPDX-License-Identifier: MIT */
/*
 * Merging the statistics of several senders into one (send --threads): pure, like stats.c.
 *   pg_moments_merge  running moments of two sample sets as one (Chan et al.)
 *   pg_hist_merge     latency histograms: bucket counts added, exact min/max/mean/std kept
 *   pg_rx_merge       echo accounting: counters summed, histograms merged, the measured
 *                     intervals summed by index (every sender shares the interval boundaries)
 */
#ifndef PKTGEN_STATS_MERGE_H
#define PKTGEN_STATS_MERGE_H

#include <stdbool.h>

#include "stats.h"

void pg_moments_merge(struct pg_moments *to, const struct pg_moments *from);
void pg_hist_merge(struct pg_hist *to, const struct pg_hist *from);
/* Adds from's echoes to to's (to comes from pg_rx_init); false when out of memory. The duplicate
 * window and per-flow reordering state are not merged: they are per sender. */
bool pg_rx_merge(struct pg_rx *to, const struct pg_rx *from);

#endif
