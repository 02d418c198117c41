// SPDX-License-Identifier: MIT
/* One-way figures through a reflector (see oneway.h). */

#include "oneway.h"

#include <stdlib.h>
#include <string.h>

#include "stats-merge.h"

static void put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

void pg_ow_write_ask(uint8_t *p, uint16_t stream)
{
	memset(p, 0, PG_OW_BYTES);
	put(p, PG_OW_ASK, 4);
	put(p + 38, stream, 2);
}

void pg_ow_write(uint8_t *p, const struct pg_ow_block *b)
{
	put(p, b->marker, 4);
	put(p + 4, b->clock_id, 4);
	put(p + 8, b->rx_ns, 8);
	put(p + 16, b->tx_ns, 8);
	put(p + 24, b->received, 4);
	put(p + 28, b->dropped, 4);
	put(p + 32, b->overflow, 4);
	put(p + 36, b->flags, 2);
	put(p + 38, b->stream, 2);
}

void pg_ow_read(const uint8_t *p, struct pg_ow_block *b)
{
	b->marker = (uint32_t)get(p, 4);
	b->clock_id = (uint32_t)get(p + 4, 4);
	b->rx_ns = get(p + 8, 8);
	b->tx_ns = get(p + 16, 8);
	b->received = (uint32_t)get(p + 24, 4);
	b->dropped = (uint32_t)get(p + 28, 4);
	b->overflow = (uint32_t)get(p + 32, 4);
	b->flags = (uint16_t)get(p + 36, 2);
	b->stream = (uint16_t)get(p + 38, 2);
}

struct pg_ow_tag *pg_ow_tag_find(struct pg_ow_tags *t, uint64_t key, uint64_t now_ns)
{
	struct pg_ow_tag *oldest = &t->slot[0];

	t->clock++;
	for (unsigned i = 0; i < PG_OW_TAGS; i++) {
		struct pg_ow_tag *s = &t->slot[i];

		if (s->used && s->key == key) {
			s->used = t->clock;
			s->seen_ns = now_ns;
			return s;
		}
		if (s->used < oldest->used)
			oldest = s;
	}
	/* A free slot has used 0, so it is the oldest there is; a live one is never taken. */
	if (oldest->used && now_ns - oldest->seen_ns < PG_OW_TAG_IDLE_NS)
		return NULL;
	*oldest = (struct pg_ow_tag){.key = key, .used = t->clock, .seen_ns = now_ns};
	return oldest;
}

void pg_ow_init(struct pg_ow *ow, bool timed)
{
	memset(ow, 0, sizeof(*ow));
	ow->clocks_comparable = true;
	ow->timed = timed;
}

void pg_ow_jitter_add(struct pg_ow_direction *d, int64_t transit_ns)
{
	if (d->have_prev) {
		int64_t diff = transit_ns - d->prev_transit_ns;
		double abs_d = (double)(diff < 0 ? -diff : diff);

		d->jitter_ns += (abs_d - d->jitter_ns) / 16.0;
		d->jitter_samples++;
	}
	d->prev_transit_ns = transit_ns;
	d->have_prev = true;
}

static void add_delay(struct pg_ow *ow, struct pg_hist *h, int64_t ns)
{
	if (ns < 0) {
		ow->negative_delays++;
		return;
	}
	pg_hist_add(h, (uint64_t)ns);
}

void pg_ow_record(struct pg_ow *ow, const struct pg_ow_echo *e)
{
	const struct pg_ow_block *b = e->block;

	/* Loss is counted over the answers with counts only: an uncounted one's are zeros. */
	if (!(b->flags & PG_OW_FLAG_UNCOUNTED)) {
		if (ow->counted == 0 || e->seq < ow->seq_lo) {
			ow->seq_lo = e->seq;
			ow->lo = *b;
		}
		if (ow->counted == 0 || e->seq > ow->seq_hi) {
			ow->seq_hi = e->seq;
			ow->hi = *b;
		}
		ow->counted++;
	}
	ow->answered++;
	if (!e->comparable)
		ow->clocks_comparable = false;
	if (!ow->timed || !e->timed)
		return;
	/* Transit times on two clocks: their differences (the jitter) do not need the clocks to
	 * agree, only to run at the same speed; the delays themselves do. */
	int64_t fwd = (int64_t)b->rx_ns - e->t1_ns, ret = e->t4_ns - (int64_t)b->tx_ns;

	pg_ow_jitter_add(&ow->fwd, fwd);
	pg_ow_jitter_add(&ow->ret, ret);
	if (e->comparable) {
		add_delay(ow, &ow->fwd.delay, fwd);
		add_delay(ow, &ow->ret.delay, ret);
	}
}

static double ratio_lost(uint64_t got, uint64_t of)
{
	if (of == 0 || got >= of)
		return 0;
	return 1.0 - (double)got / (double)of;
}

bool pg_ow_loss(const struct pg_ow *ow, struct pg_ow_loss *out)
{
	memset(out, 0, sizeof(*out));
	if (ow->counted < 2)
		return false;
	out->fwd_sent = ow->seq_hi - ow->seq_lo + 1;
	/* The reflector's counters wrap at 2^32: their differences do not mind. */
	out->fwd_received = (uint64_t)(uint32_t)(ow->hi.received - ow->lo.received) + 1;
	out->reflector_dropped = (uint32_t)(ow->hi.dropped - ow->lo.dropped);
	out->reflector_overflow = (uint32_t)(ow->hi.overflow - ow->lo.overflow);
	out->ret_sent = out->fwd_received > out->reflector_dropped
				? out->fwd_received - out->reflector_dropped
				: 0;
	out->ret_received = ow->counted;
	out->fwd_loss = ratio_lost(out->fwd_received, out->fwd_sent);
	out->ret_loss = ratio_lost(out->ret_received, out->ret_sent);
	return true;
}

void pg_ow_sum_init(struct pg_ow_sum *s)
{
	memset(s, 0, sizeof(*s));
	s->clocks_comparable = true;
}

void pg_ow_sum_add(struct pg_ow_sum *s, const struct pg_ow *ow)
{
	struct pg_ow_loss l;

	s->answered += ow->answered;
	s->asked_back += ow->asked_back;
	s->negative_delays += ow->negative_delays;
	if (ow->answered && !ow->clocks_comparable)
		s->clocks_comparable = false;
	if (pg_ow_loss(ow, &l)) {
		s->counted = true;
		s->loss.fwd_sent += l.fwd_sent;
		s->loss.fwd_received += l.fwd_received;
		s->loss.reflector_dropped += l.reflector_dropped;
		s->loss.ret_sent += l.ret_sent;
		s->loss.ret_received += l.ret_received;
		/* One socket's drops, seen by every stream: the largest, not the sum. */
		if (l.reflector_overflow > s->loss.reflector_overflow)
			s->loss.reflector_overflow = l.reflector_overflow;
		s->loss.fwd_loss = ratio_lost(s->loss.fwd_received, s->loss.fwd_sent);
		s->loss.ret_loss = ratio_lost(s->loss.ret_received, s->loss.ret_sent);
	}
	if (ow->timed && ow->fwd.jitter_samples) {
		uint64_t n = s->jitter_samples + ow->fwd.jitter_samples;

		s->fwd_jitter_ns += (ow->fwd.jitter_ns - s->fwd_jitter_ns) * (double)ow->fwd.jitter_samples / (double)n;
		s->ret_jitter_ns += (ow->ret.jitter_ns - s->ret_jitter_ns) * (double)ow->fwd.jitter_samples / (double)n;
		s->jitter_samples = n;
	}
	pg_hist_merge(&s->fwd_delay, &ow->fwd.delay);
	pg_hist_merge(&s->ret_delay, &ow->ret.delay);
}

uint32_t pg_ow_clock_id(const char *boot_id)
{
	uint32_t h = 2166136261u;

	for (const char *c = boot_id; *c && *c != '\n'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return h ? h : 1;
}
