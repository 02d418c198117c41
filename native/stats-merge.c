// SPDX-License-Identifier: MIT
/* Merging the statistics of several senders (see stats-merge.h). */

#include "stats-merge.h"

#include <stdlib.h>

void pg_moments_merge(struct pg_moments *to, const struct pg_moments *from)
{
	uint64_t n = to->n + from->n;
	double d = from->mean - to->mean;

	if (from->n == 0)
		return;
	if (to->n == 0) {
		*to = *from;
		return;
	}
	to->m2 += from->m2 + d * d * (double)to->n * (double)from->n / (double)n;
	to->mean += d * (double)from->n / (double)n;
	to->n = n;
}

void pg_hist_merge(struct pg_hist *to, const struct pg_hist *from)
{
	if (from->n == 0)
		return;
	for (unsigned b = 0; b < PG_HIST_BUCKETS; b++)
		to->count[b] += from->count[b];
	if (to->n == 0 || from->min_ns < to->min_ns)
		to->min_ns = from->min_ns;
	if (to->n == 0 || from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
	to->n += from->n;
	pg_moments_merge(&to->ns, &from->ns);
}

/* Room for at least n intervals in to->iv, the new ones zeroed. */
static bool intervals_reserve(struct pg_rx *to, size_t n)
{
	struct pg_rx_interval *iv;

	if (n <= to->iv_count)
		return true;
	if (n > to->iv_cap) {
		iv = realloc(to->iv, n * sizeof(*iv));
		if (!iv)
			return false;
		to->iv = iv;
		to->iv_cap = n;
	}
	for (size_t i = to->iv_count; i < n; i++)
		to->iv[i] = (struct pg_rx_interval){0};
	to->iv_count = n;
	return true;
}

bool pg_rx_merge(struct pg_rx *to, const struct pg_rx *from)
{
	if (!intervals_reserve(to, from->iv_count))
		return false;
	for (size_t i = 0; i < from->iv_count; i++) {
		struct pg_rx_interval *a = &to->iv[i];
		const struct pg_rx_interval *b = &from->iv[i];

		a->packets += b->packets;
		a->bytes += b->bytes;
		/* A sender stopped early (its share of --max-packets) ends its last interval sooner. */
		if (b->len_ns > a->len_ns)
			a->len_ns = b->len_ns;
	}
	to->any = to->any || from->any;
	to->packets += from->packets;
	to->bytes += from->bytes;
	to->duplicates += from->duplicates;
	to->reordered += from->reordered;
	to->warmup_packets += from->warmup_packets;
	pg_hist_merge(&to->rtt, &from->rtt);
	return true;
}
