/* SPDX-License-Identifier: MIT */
/*
 * Pure statistics of a run: no syscalls, no clock, no output. Unit-tested by unit-test.c
 * (`make -C native test`).
 *
 *   pg_moments     running mean and sample standard deviation (Welford)
 *   pg_intervals   mean/std of per-interval rates; a partial last interval is excluded
 *   pg_hist        log-linear latency histogram, percentiles (see PG_HIST_* for the precision)
 *   pg_seen        which sequence numbers came back: duplicates, over a sliding window
 *   pg_rx          echoes of one run: only packets sent in the measured window count
 */
#ifndef PKTGEN_STATS_H
#define PKTGEN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- running moments ---- */

struct pg_moments {
	uint64_t n;
	double mean, m2;
};

void pg_moments_add(struct pg_moments *m, double x);
/* Sample standard deviation; 0 below two samples. */
double pg_moments_std(const struct pg_moments *m);

/* ---- per-interval rates ---- */

/* Rates of one kind of traffic (tx or rx) over intervals: frame Mbit/s, Mpps, wire Mbit/s. */
struct pg_series {
	struct pg_moments mbps, mpps, wire_mbps;
};

struct pg_intervals {
	struct pg_series full, partial;
};

/*
 * Adds one interval of len_ns carrying packets/bytes (frame bytes). An interval shorter than
 * nominal_ns (the last of a phase, or one cut by a signal) goes to the partial series.
 */
void pg_intervals_add(struct pg_intervals *iv, uint64_t len_ns, uint64_t nominal_ns,
		      uint64_t packets, uint64_t bytes);
/* The series to report: the full intervals, or the partial ones when there is no full one. */
const struct pg_series *pg_intervals_result(const struct pg_intervals *iv);

/* Frame Mbit/s and Mpps of a count over a time; 0 for no time. */
double pg_mbps(uint64_t bytes, double secs);
double pg_mpps(uint64_t packets, double secs);

/* ---- latency histogram ---- */

/*
 * Log-linear buckets over nanoseconds, in units of PG_HIST_UNIT_NS: values below
 * 2 * PG_HIST_SUB units have one bucket per unit (0.1 us); above, every power of two is cut
 * into PG_HIST_SUB equal buckets (width < 1/128 = 0.78 % of the value). A percentile is its
 * bucket's midpoint, clamped to the exact min and max: within 0.05 us or 0.4 %, so well inside
 * the contract's "1 us or 1 %, whichever is coarser". Values beyond 2^40 units (30 h) land in
 * the last bucket.
 */
#define PG_HIST_UNIT_NS 100u
#define PG_HIST_SUB_BITS 7u
#define PG_HIST_SUB (1u << PG_HIST_SUB_BITS)
#define PG_HIST_OCTAVES 32u
#define PG_HIST_BUCKETS (PG_HIST_SUB * (PG_HIST_OCTAVES + 2u))

struct pg_hist {
	uint64_t count[PG_HIST_BUCKETS];
	uint64_t n, min_ns, max_ns;
	struct pg_moments ns; /* exact mean and std */
};

void pg_hist_add(struct pg_hist *h, uint64_t ns);
/* Bucket index of a value, and the [low, high) range of a bucket, in ns. */
unsigned pg_hist_bucket(uint64_t ns);
void pg_hist_bounds(unsigned bucket, uint64_t *low_ns, uint64_t *high_ns);
/* Nearest-rank percentile (0 < p <= 100) in ns: the smallest bucket holding at least p % of
 * the samples, as its midpoint clamped to [min, max]. 0 when empty. */
double pg_hist_percentile(const struct pg_hist *h, double p);

/* ---- sequence numbers seen ---- */

/* Sliding window of sequence numbers remembered for duplicate detection: 2^22 (512 KiB), about
 * 1.5 s at 2.7 Mpps. An echo older than the window counts as new (it cannot be checked). */
#define PG_SEEN_BITS 22u
#define PG_SEEN_WINDOW (1ull << PG_SEEN_BITS)

struct pg_seen {
	uint64_t *bits; /* PG_SEEN_WINDOW bits, a ring indexed by seq */
	uint64_t high;  /* one past the highest seq recorded; bits cover [high - window, high) */
	uint64_t too_old;
};

enum pg_seen_verdict { PG_SEEN_NEW, PG_SEEN_DUPLICATE };

/* Allocates the window; false when out of memory. */
bool pg_seen_init(struct pg_seen *s);
void pg_seen_free(struct pg_seen *s);
enum pg_seen_verdict pg_seen_record(struct pg_seen *s, uint64_t seq);

/* ---- echoes of a run ---- */

/* One measured interval, in sequence numbers: echoes are counted in the interval their packet
 * was sent in, so a run's rx rates compare with its tx rates interval by interval. */
struct pg_rx_interval {
	uint64_t seq_first, len_ns, packets, bytes;
};

/* One echo, as the receive path decoded it. */
struct pg_echo {
	uint64_t seq;       /* extended to 64 bits */
	unsigned flow;      /* socket it arrived on */
	uint32_t frame_bytes;
	bool has_rtt;
	uint64_t rtt_ns;
};

struct pg_rx {
	uint64_t measure_first, measure_end; /* seqs of the measured window: [first, end) */
	unsigned flows;
	uint64_t *flow_high; /* per flow: one past the highest seq seen (reordering is per flow) */
	struct pg_seen seen;
	struct pg_rx_interval *iv;
	size_t iv_count, iv_cap;
	bool any;                  /* an echo ever arrived: rx is measured */
	uint64_t packets, bytes;   /* unique echoes of measured packets */
	uint64_t duplicates, reordered;
	uint64_t warmup_packets;   /* unique echoes of warm-up packets (not in the figures) */
	struct pg_hist rtt;        /* measured packets only */
	struct pg_hist iv_rtt;     /* the same, echoes arrived since the last interval line */
};

/* Everything sent is warm-up until pg_rx_measure_start; false when out of memory. */
bool pg_rx_init(struct pg_rx *rx, unsigned flows);
void pg_rx_free(struct pg_rx *rx);
/* The measured window starts with this seq, its first interval with it; false when out of
 * memory (as for pg_rx_interval_next). */
bool pg_rx_measure_start(struct pg_rx *rx, uint64_t seq);
/* A new measured interval starts at seq; the previous one lasted prev_len_ns. */
bool pg_rx_interval_next(struct pg_rx *rx, uint64_t seq, uint64_t prev_len_ns);
/* The measured window ends before seq; its last interval lasted last_len_ns. */
void pg_rx_measure_end(struct pg_rx *rx, uint64_t seq, uint64_t last_len_ns);
/* Counts one echo where it belongs; returns true when it was a new echo of a measured packet. */
bool pg_rx_record(struct pg_rx *rx, const struct pg_echo *e);
/* Rates of the echoes per measured interval (nominal_ns: the full interval length). */
void pg_rx_intervals(const struct pg_rx *rx, uint64_t nominal_ns, struct pg_intervals *out);
/* Lost share of the measured packets: 0..1 (duplicates do not make up for losses). */
double pg_rx_loss_ratio(const struct pg_rx *rx, uint64_t tx_packets);

#endif
