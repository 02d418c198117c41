/* SPDX-License-Identifier: MIT */
/*
 * One-way figures through a reflector, in the manner of TWAMP Light (RFC 5357). Pure: no
 * syscalls, no clock. Unit-tested by unit-test.c.
 *
 * Negotiation by a block in the packet body, right after the 18-byte test header (so an old
 * peer never notices it): a sender that wants one-way figures (`send --one-way`) writes
 * PG_OW_ASK there followed by zeros. A reflector that knows the block overwrites it with its
 * answer (PG_OW_ANSWER and the fields below); an old reflector echoes the body unchanged, so
 * the sender sees its own ask back and knows there is nothing to read. An old sender never asks,
 * so a new reflector leaves its body alone. Block, network byte order, PG_OW_BYTES long:
 *
 *   offset  size  field
 *        0     4  marker    PG_OW_ASK from the sender, PG_OW_ANSWER from a reflector
 *        4     4  clock_id  which clock the stamps are on: a hash of the reflector's kernel
 *                           boot id (network namespaces share it), or 0 with --clock-offset
 *        8     8  rx_ns     reflector: kernel receive time of the packet, CLOCK_REALTIME ns
 *       16     8  tx_ns     reflector: time right before the echo's send call, CLOCK_REALTIME ns
 *       24     4  received  reflector: test packets received with this tag so far (wraps)
 *       28     4  dropped   reflector: echoes of this tag it received but did not send (wraps)
 *       32     4  overflow  reflector: datagrams its socket dropped (SO_RXQ_OVFL), all tags
 *       36     2  flags     bit 0: the stamps are corrected by a declared clock offset;
 *                           bit 1: uncounted: the reflector keeps no counts for this tag and
 *                           stream (its table is full of live ones), received and dropped are 0
 *       38     2  stream    sender: its sequence space (sending thread + 1), kept in the answer;
 *                           the reflector counts per tag and stream
 */
#ifndef PKTGEN_ONEWAY_H
#define PKTGEN_ONEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define PG_OW_ASK 0x50476f77u    /* "PGow" */
#define PG_OW_ANSWER 0x50474f57u /* "PGOW" */
#define PG_OW_BYTES 40u
#define PG_OW_FLAG_DECLARED 1u
#define PG_OW_FLAG_UNCOUNTED 2u
/* The largest clock offset one may declare (--clock-offset-ns): 1000 s; beyond, nothing is synced. */
#define PG_OW_OFFSET_MAX_NS 1000000000000LL

struct pg_ow_block {
	uint32_t marker, clock_id;
	uint64_t rx_ns, tx_ns;
	uint32_t received, dropped, overflow;
	uint16_t flags, stream;
};

/* Writes the sender's ask (the marker, zeros, its stream). */
void pg_ow_write_ask(uint8_t *p, uint16_t stream);
/* Writes a reflector's answer. */
void pg_ow_write(uint8_t *p, const struct pg_ow_block *b);
/* Reads a block of PG_OW_BYTES bytes. */
void pg_ow_read(const uint8_t *p, struct pg_ow_block *b);

/* A reflector's counts per tag and stream, PG_OW_TAGS of them. The key is pg_ow_key(tag, stream).
 * A new key takes a free slot, or the least recently seen one if that was idle for
 * PG_OW_TAG_IDLE_NS; never a live one: anyone the reflector echoes may send asks under any tags,
 * and evicting a running job's counts would restart them mid-run, a false loss in its figures.
 * A key that finds no slot is answered uncounted (PG_OW_FLAG_UNCOUNTED). */
#define PG_OW_TAGS 256u
#define PG_OW_TAG_IDLE_NS 10000000000ull

struct pg_ow_tag {
	uint64_t key;
	uint32_t received, dropped;
	uint64_t used;    /* a logical time: larger is more recent; 0 = free */
	uint64_t seen_ns; /* when it was last found (the caller's monotonic clock) */
};

static inline uint64_t pg_ow_key(uint32_t tag, uint16_t stream)
{
	return (uint64_t)stream << 32 | tag;
}

struct pg_ow_tags {
	struct pg_ow_tag slot[PG_OW_TAGS];
	uint64_t clock;
};

/* The entry of a key at now_ns, created (and an idle one evicted) when needed; NULL when every
 * slot is held by a key seen within PG_OW_TAG_IDLE_NS. */
struct pg_ow_tag *pg_ow_tag_find(struct pg_ow_tags *t, uint64_t key, uint64_t now_ns);

/* The sender's view of one direction: RFC 3550 interarrival jitter and, with comparable
 * clocks, the delay distribution. */
struct pg_ow_direction {
	bool have_prev;
	int64_t prev_transit_ns;
	double jitter_ns;
	uint64_t jitter_samples;
	struct pg_hist delay; /* only when the clocks are comparable */
};

/* What the sender gathers from the answered echoes of measured packets. */
struct pg_ow {
	uint64_t answered;              /* unique measured echoes that carried an answer */
	uint64_t counted;               /* those of them with the reflector's counts (not uncounted) */
	uint64_t asked_back;            /* echoes that came back with the ask: an old reflector */
	uint64_t seq_lo, seq_hi;        /* lowest and highest seq among them */
	struct pg_ow_block lo, hi;      /* their blocks */
	bool clocks_comparable;         /* every answer's clock matched ours (or both declared) */
	bool timed;                     /* send and receive times were taken (--latency) */
	uint64_t negative_delays;       /* delays below 0: the clocks are not as comparable as said */
	struct pg_ow_direction fwd, ret;
};

/* One answered echo: the sender's send time and its receive time, on CLOCK_REALTIME (declared
 * offset removed); comparable: the reflector's clock is ours. */
struct pg_ow_echo {
	uint64_t seq;
	const struct pg_ow_block *block;
	bool timed;
	int64_t t1_ns, t4_ns;
	bool comparable;
};

void pg_ow_init(struct pg_ow *ow, bool timed);
/* Counts one unique echo of a measured packet that came back with an answer. */
void pg_ow_record(struct pg_ow *ow, const struct pg_ow_echo *e);
/* RFC 3550 interarrival jitter step, J += (|D| - J) / 16, for a new transit time. */
void pg_ow_jitter_add(struct pg_ow_direction *d, int64_t transit_ns);

/* The figures: forward and return loss as 0..1 over the packets between the lowest and highest
 * answered seq with counts, and the reflector's drops over the same packets. False below two
 * such answers. */
struct pg_ow_loss {
	uint64_t fwd_sent, fwd_received, reflector_dropped, reflector_overflow, ret_sent, ret_received;
	double fwd_loss, ret_loss;
};
bool pg_ow_loss(const struct pg_ow *ow, struct pg_ow_loss *out);

/* The figures of several streams (send --threads: one per thread) as one: counts summed, the
 * reflector's socket drops the largest seen, jitter averaged over its samples, delays merged. */
struct pg_ow_sum {
	uint64_t answered, asked_back, negative_delays;
	bool counted;            /* some stream counted losses */
	bool clocks_comparable;  /* every answer of every stream */
	struct pg_ow_loss loss;  /* fwd_loss/ret_loss over the summed counts */
	double fwd_jitter_ns, ret_jitter_ns; /* sample-weighted mean of the streams' jitter */
	uint64_t jitter_samples;
	struct pg_hist fwd_delay, ret_delay;
};

void pg_ow_sum_init(struct pg_ow_sum *s);
void pg_ow_sum_add(struct pg_ow_sum *s, const struct pg_ow *ow);

/* A 32-bit id of a kernel boot id string (FNV-1a); never 0. */
uint32_t pg_ow_clock_id(const char *boot_id);

#endif
