/* SPDX-License-Identifier: MIT */
/*
 * The pacer of `pktgen-emit send`: an absolute-deadline token bucket counting frame bytes.
 * Pure: it reads no clock and makes no system call; every time is CLOCK_MONOTONIC nanoseconds
 * passed in, so unit-test.c drives it with a fake clock. The calls made for every batch are
 * static inline here: they sit on the send path between two sendmmsg calls.
 */
#ifndef PKTGEN_PACER_H
#define PKTGEN_PACER_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* A batch that starts more than this after its deadline counts as (the start of) a stall. */
#define PACER_STALL_NS 1e6
/* Bucket depth: after a late start, at most this much missed traffic is sent back to back to
 * catch up; beyond it the credit is forgotten. On a shared 2-core VM under load the whole CPU
 * stalls for 2-70 ms at times (every task on it at once), and a 20 ms bucket lost up to 2.5 %
 * of a 3 s run at 100 Mbit/s. 100 ms absorbs those stalls; the price is a burst of up to 100 ms
 * of traffic (1.25 MB at 100 Mbit/s) after one, sent at the sender's full speed. */
#define PACER_DEPTH_NS 100e6
/* At low rates a batch holds at most about this much traffic, so traffic stays smooth above
 * 1 ms (a full batch of 32 x 1500 B at 1 Mbit/s would be a 0.4 s burst). */
#define PACER_BURST_NS 1e6

struct pacer {
	bool enabled;       /* false: no rate, as fast as possible */
	double ns_per_byte;
	uint64_t origin_ns; /* run start: deadlines relative to it stay exact to far below 1 ns */
	double next_ns;     /* deadline of the next batch, after origin_ns (before it: credit) */
	double depth_ns;    /* most credit kept when a batch starts late */
	bool stalled;       /* the last batch started a stall or went on with one */
};

/* Packets per send call: `most`, or fewer at low rates so a call carries about PACER_BURST_NS
 * of traffic (at least one packet). rate_mbps <= 0: no rate, `most`. */
unsigned pacer_batch_packets(double rate_mbps, double mean_frame_bytes, unsigned most);

/* The byte rate, Mbit/s, that sends pps frames a second of mean_frame_bytes on average: the pacer
 * counts bytes, so a packet rate is paced as this. */
double pacer_pps_mbps(double pps, double mean_frame_bytes);

/* A pacer whose first batch is due at start_ns; rate_mbps <= 0 disables it. batch_bytes is the
 * mean size of a batch: the bucket holds at least two. */
void pacer_init(struct pacer *p, double rate_mbps, double batch_bytes, uint64_t start_ns);

/*
 * Changes the rate at now_ns (>= start_ns). The byte balance carries over: bytes sent ahead of
 * the old schedule delay the next batch by their time at the new rate; traffic due but unsent
 * stays due, at most one bucket depth of it at the new rate. From no rate to a rate, the first
 * batch is due at now_ns.
 */
void pacer_set_rate(struct pacer *p, double rate_mbps, double batch_bytes, uint64_t now_ns);

/*
 * Called when a batch starts at now_ns (>= its deadline, >= start_ns). Drops the credit beyond
 * one bucket depth, so a long stall is not followed by an unbounded burst. Returns how late the
 * batch is when it starts a stall (consecutive late batches while catching up count as one),
 * else 0; always 0 without a rate.
 */
static inline double pacer_start(struct pacer *p, uint64_t now_ns)
{
	double elapsed, late;
	bool was_stalled = p->stalled;

	if (!p->enabled)
		return 0;
	elapsed = (double)(now_ns - p->origin_ns);
	late = elapsed - p->next_ns;
	if (late > p->depth_ns)
		p->next_ns = elapsed - p->depth_ns;
	p->stalled = late > PACER_STALL_NS;
	return p->stalled && !was_stalled ? late : 0;
}

/* The deadline moves on by the time the bytes just sent take at the target rate. */
static inline void pacer_consume(struct pacer *p, uint64_t bytes)
{
	p->next_ns += (double)bytes * p->ns_per_byte;
}

/* CLOCK_MONOTONIC time at which the next batch is due; 0 (always due) without a rate. */
static inline uint64_t pacer_deadline(const struct pacer *p)
{
	/* Signed: after a rate change the deadline may lie before origin_ns (credit). */
	return p->enabled ? (uint64_t)((int64_t)p->origin_ns + (int64_t)ceil(p->next_ns)) : 0;
}

/*
 * True while traffic whose deadline fell before boundary_ns is still unsent at now_ns
 * (>= boundary_ns), because the sender was stalled when the boundary passed. Bounded: never
 * once now_ns is a bucket depth past the boundary, and never without a rate.
 */
static inline bool pacer_owes_before(const struct pacer *p, uint64_t boundary_ns, uint64_t now_ns)
{
	return p->enabled && pacer_deadline(p) < boundary_ns &&
	       (double)(now_ns - boundary_ns) < p->depth_ns;
}

#endif
