// SPDX-License-Identifier: MIT
/* Pure statistics of a run (see stats.h): moments, interval rates, histogram, echo accounting. */

#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen-emit.h"

/* ---- running moments ---- */

void pg_moments_add(struct pg_moments *m, double x)
{
	double d = x - m->mean;

	m->n++;
	m->mean += d / (double)m->n;
	m->m2 += d * (x - m->mean);
}

double pg_moments_std(const struct pg_moments *m)
{
	return m->n > 1 ? sqrt(m->m2 / (double)(m->n - 1)) : 0;
}

/* ---- per-interval rates ---- */

double pg_mbps(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0;
}

double pg_mpps(uint64_t packets, double secs)
{
	return secs > 0 ? (double)packets / secs / 1e6 : 0;
}

void pg_intervals_add(struct pg_intervals *iv, uint64_t len_ns, uint64_t nominal_ns,
		      uint64_t packets, uint64_t bytes)
{
	struct pg_series *s = len_ns >= nominal_ns ? &iv->full : &iv->partial;
	double secs = (double)len_ns / 1e9;

	if (len_ns == 0)
		return;
	pg_moments_add(&s->mbps, pg_mbps(bytes, secs));
	pg_moments_add(&s->mpps, pg_mpps(packets, secs));
	pg_moments_add(&s->wire_mbps, pg_mbps(bytes + packets * PG_WIRE_EXTRA, secs));
}

const struct pg_series *pg_intervals_result(const struct pg_intervals *iv)
{
	return iv->full.mbps.n ? &iv->full : &iv->partial;
}

/* ---- latency histogram ---- */

unsigned pg_hist_bucket(uint64_t ns)
{
	uint64_t units = ns / PG_HIST_UNIT_NS;
	unsigned octave, sub;

	if (units < 2 * PG_HIST_SUB)
		return (unsigned)units;
	/* units in [SUB << octave, SUB << (octave + 1)): PG_HIST_SUB buckets of 2^octave units */
	octave = (unsigned)(63 - __builtin_clzll(units)) - PG_HIST_SUB_BITS;
	if (octave > PG_HIST_OCTAVES)
		return PG_HIST_BUCKETS - 1;
	sub = (unsigned)(units >> octave) - PG_HIST_SUB;
	return PG_HIST_SUB * (octave + 1) + sub;
}

void pg_hist_bounds(unsigned bucket, uint64_t *low_ns, uint64_t *high_ns)
{
	uint64_t low, high;

	if (bucket < 2 * PG_HIST_SUB) {
		low = bucket;
		high = bucket + 1ull;
	} else {
		unsigned octave = bucket / PG_HIST_SUB - 1, sub = bucket % PG_HIST_SUB;

		low = (uint64_t)(PG_HIST_SUB + sub) << octave;
		high = (uint64_t)(PG_HIST_SUB + sub + 1) << octave;
	}
	*low_ns = low * PG_HIST_UNIT_NS;
	*high_ns = high * PG_HIST_UNIT_NS;
}

void pg_hist_add(struct pg_hist *h, uint64_t ns)
{
	h->count[pg_hist_bucket(ns)]++;
	if (h->n == 0 || ns < h->min_ns)
		h->min_ns = ns;
	if (h->n == 0 || ns > h->max_ns)
		h->max_ns = ns;
	h->n++;
	pg_moments_add(&h->ns, (double)ns);
}

double pg_hist_percentile(const struct pg_hist *h, double p)
{
	uint64_t rank, seen = 0, low, high;
	double mid;
	unsigned b;

	if (h->n == 0)
		return 0;
	rank = (uint64_t)ceil(p / 100 * (double)h->n);
	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	for (b = 0; b < PG_HIST_BUCKETS - 1; b++) {
		seen += h->count[b];
		if (seen >= rank)
			break;
	}
	pg_hist_bounds(b, &low, &high);
	mid = ((double)low + (double)high) / 2;
	if (mid < (double)h->min_ns)
		return (double)h->min_ns;
	if (mid > (double)h->max_ns)
		return (double)h->max_ns;
	return mid;
}

/* ---- sequence numbers seen ---- */

#define SEEN_WORDS (PG_SEEN_WINDOW / 64)

bool pg_seen_init(struct pg_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->bits = calloc(SEEN_WORDS, sizeof(uint64_t));
	return s->bits != NULL;
}

void pg_seen_free(struct pg_seen *s)
{
	free(s->bits);
	s->bits = NULL;
}

/* Forgets seqs [from, to) of the ring: their slots now stand for seqs not seen yet. */
static void seen_clear(struct pg_seen *s, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint64_t slot = from % PG_SEEN_WINDOW;

		if (slot % 64 == 0 && to - from >= 64) {
			s->bits[slot / 64] = 0;
			from += 64;
		} else {
			s->bits[slot / 64] &= ~(1ull << (slot % 64));
			from++;
		}
	}
}

enum pg_seen_verdict pg_seen_record(struct pg_seen *s, uint64_t seq)
{
	uint64_t slot = seq % PG_SEEN_WINDOW, mask = 1ull << (slot % 64);

	if (seq >= s->high) {
		uint64_t from = seq + 1 - s->high > PG_SEEN_WINDOW ? seq + 1 - PG_SEEN_WINDOW : s->high;

		seen_clear(s, from, seq + 1);
		s->high = seq + 1;
	} else if (s->high - seq > PG_SEEN_WINDOW) {
		s->too_old++;
		return PG_SEEN_NEW;
	}
	if (s->bits[slot / 64] & mask)
		return PG_SEEN_DUPLICATE;
	s->bits[slot / 64] |= mask;
	return PG_SEEN_NEW;
}

/* ---- echoes of a run ---- */

bool pg_rx_init(struct pg_rx *rx, unsigned flows)
{
	memset(rx, 0, sizeof(*rx));
	rx->measure_first = UINT64_MAX;
	rx->measure_end = UINT64_MAX;
	rx->flows = flows;
	rx->flow_high = calloc(flows ? flows : 1, sizeof(uint64_t));
	if (!rx->flow_high || !pg_seen_init(&rx->seen)) {
		pg_rx_free(rx);
		return false;
	}
	return true;
}

void pg_rx_free(struct pg_rx *rx)
{
	free(rx->flow_high);
	free(rx->iv);
	pg_seen_free(&rx->seen);
	rx->flow_high = NULL;
	rx->iv = NULL;
}

static bool interval_push(struct pg_rx *rx, uint64_t seq)
{
	if (rx->iv_count == rx->iv_cap) {
		size_t cap = rx->iv_cap ? rx->iv_cap * 2 : 64;
		struct pg_rx_interval *iv = realloc(rx->iv, cap * sizeof(*iv));

		if (!iv)
			return false;
		rx->iv = iv;
		rx->iv_cap = cap;
	}
	rx->iv[rx->iv_count++] = (struct pg_rx_interval){.seq_first = seq};
	return true;
}

bool pg_rx_measure_start(struct pg_rx *rx, uint64_t seq)
{
	rx->measure_first = seq;
	return interval_push(rx, seq);
}

bool pg_rx_interval_next(struct pg_rx *rx, uint64_t seq, uint64_t prev_len_ns)
{
	if (rx->iv_count)
		rx->iv[rx->iv_count - 1].len_ns = prev_len_ns;
	return interval_push(rx, seq);
}

void pg_rx_measure_end(struct pg_rx *rx, uint64_t seq, uint64_t last_len_ns)
{
	if (rx->iv_count)
		rx->iv[rx->iv_count - 1].len_ns = last_len_ns;
	rx->measure_end = seq;
}

/* The last interval whose first seq is <= seq (intervals are in increasing seq order). */
static struct pg_rx_interval *interval_of(struct pg_rx *rx, uint64_t seq)
{
	size_t lo = 0, hi = rx->iv_count;

	if (hi == 0)
		return NULL;
	/* Nearly every echo belongs to the newest interval: check it before searching. */
	if (rx->iv[hi - 1].seq_first <= seq)
		return &rx->iv[hi - 1];
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (rx->iv[mid].seq_first <= seq)
			lo = mid;
		else
			hi = mid;
	}
	return &rx->iv[lo];
}

bool pg_rx_record(struct pg_rx *rx, const struct pg_echo *e)
{
	struct pg_rx_interval *iv;
	unsigned flow = e->flow < rx->flows ? e->flow : 0;

	rx->any = true;
	if (e->seq >= rx->measure_end)
		return false; /* never sent: nothing is sent after the measured window */
	if (pg_seen_record(&rx->seen, e->seq) == PG_SEEN_DUPLICATE) {
		if (e->seq >= rx->measure_first)
			rx->duplicates++;
		return false;
	}
	if (e->seq < rx->measure_first) {
		rx->warmup_packets++;
		return false;
	}
	rx->packets++;
	rx->bytes += e->frame_bytes;
	if (e->seq < rx->flow_high[flow])
		rx->reordered++; /* a later packet of this flow came back first */
	else
		rx->flow_high[flow] = e->seq + 1;
	iv = interval_of(rx, e->seq);
	if (iv) {
		iv->packets++;
		iv->bytes += e->frame_bytes;
	}
	if (e->has_rtt) {
		pg_hist_add(&rx->rtt, e->rtt_ns);
		pg_hist_add(&rx->iv_rtt, e->rtt_ns);
	}
	return true;
}

void pg_rx_intervals(const struct pg_rx *rx, uint64_t nominal_ns, struct pg_intervals *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < rx->iv_count; i++)
		pg_intervals_add(out, rx->iv[i].len_ns, nominal_ns, rx->iv[i].packets, rx->iv[i].bytes);
}

double pg_rx_loss_ratio(const struct pg_rx *rx, uint64_t tx_packets)
{
	if (tx_packets == 0)
		return 0;
	if (rx->packets >= tx_packets)
		return 0;
	return (double)(tx_packets - rx->packets) / (double)tx_packets;
}
