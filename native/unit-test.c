// SPDX-License-Identifier: MIT
/*
 * Unit tests of the pure parts of pktgen-emit: statistics (stats.c, stats-merge.c), raw frames
 * (frame.c), the pacer (pacer.c, pacer.h) on a fake clock and the one-way figures (oneway.c).
 * `make -C native test` builds and runs it; it prints one line per check and ends with
 * "N passed, N failed"; the exit code is 1 when anything failed.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "oneway.h"
#include "pacer.h"
#include "pktgen-emit.h"
#include "size-mix.h"
#include "stats.h"
#include "stats-merge.h"

static unsigned g_passed, g_failed;

static void __attribute__((format(printf, 3, 4))) check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		g_passed++;
		return;
	}
	g_failed++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void check_near(double actual, double expected, double tolerance, const char *name)
{
	check(fabs(actual - expected) <= tolerance, name, "%.6f, expected %.6f +- %.6f", actual,
	      expected, tolerance);
}

/* The contract's precision: 1 us or 1 % of the value, whichever is coarser (values in ns). */
static double precision_ns(double value_ns)
{
	return value_ns / 100 > 1000 ? value_ns / 100 : 1000;
}

/* ---- statistics ---- */

static void test_moments(void)
{
	const double xs[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct pg_moments m = {0};

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		pg_moments_add(&m, xs[i]);
	check_near(m.mean, 5, 1e-12, "moments: mean of a known set");
	check_near(pg_moments_std(&m), sqrt(32.0 / 7), 1e-12, "moments: sample std of a known set");
	m = (struct pg_moments){0};
	pg_moments_add(&m, 42);
	check_near(pg_moments_std(&m), 0, 0, "moments: std of one sample is 0");
}

static void test_interval_mean_std(void)
{
	const uint64_t second = 1000000000ull;
	struct pg_intervals iv = {0};
	const struct pg_series *s;

	/* 100, 102, 98 Mbit/s of 1250-byte frames over full seconds, then half a second at
	 * 50 Mbit/s: the partial interval must not pull the mean down. */
	pg_intervals_add(&iv, second, second, 10000, 12500000);
	pg_intervals_add(&iv, second, second, 10200, 12750000);
	pg_intervals_add(&iv, second, second, 9800, 12250000);
	pg_intervals_add(&iv, second / 2, second, 2500, 3125000);
	s = pg_intervals_result(&iv);
	check_near(s->mbps.mean, 100, 1e-9, "intervals: mean Mbit/s over full intervals");
	check_near(pg_moments_std(&s->mbps), 2, 1e-9, "intervals: std Mbit/s over full intervals");
	check_near(s->mpps.mean, 0.01, 1e-12, "intervals: mean Mpps");
	check_near(pg_moments_std(&s->mpps), 0.0002, 1e-12, "intervals: std Mpps");
	check_near(s->wire_mbps.mean, 100 + 0.01 * 20 * 8, 1e-9, "intervals: wire = frame + 20 B/frame");
	check(s->mbps.n == 3, "intervals: partial interval excluded", "n = %llu",
	      (unsigned long long)s->mbps.n);

	iv = (struct pg_intervals){0};
	pg_intervals_add(&iv, 0, second, 0, 0);
	pg_intervals_add(&iv, second / 2, second, 2500, 3125000);
	s = pg_intervals_result(&iv);
	check_near(s->mbps.mean, 50, 1e-9, "intervals: a lone partial interval is used");
	check(s->mbps.n == 1, "intervals: an empty interval is ignored", "n = %llu",
	      (unsigned long long)s->mbps.n);
}

static void test_percentiles_known_set(void)
{
	static struct pg_hist h;
	const struct {
		double p, expected_us;
	} cases[] = {{25, 250}, {50, 500}, {75, 750}, {90, 900}, {95, 950}, {99, 990}, {99.9, 999},
		     {100, 1000}};

	/* 1, 2, ..., 1000 us, shuffled: the nearest-rank p-th percentile is p * 10 us. */
	memset(&h, 0, sizeof(h));
	for (unsigned i = 0; i < 1000; i++)
		pg_hist_add(&h, (uint64_t)((i * 617u) % 1000u + 1u) * 1000u);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		double expected = cases[i].expected_us * 1000;

		snprintf(name, sizeof(name), "percentiles: p%g of 1..1000 us", cases[i].p);
		check_near(pg_hist_percentile(&h, cases[i].p), expected, precision_ns(expected), name);
	}
	check(h.min_ns == 1000 && h.max_ns == 1000000, "percentiles: exact min and max",
	      "%llu..%llu", (unsigned long long)h.min_ns, (unsigned long long)h.max_ns);
	check_near(h.ns.mean, 500500, 1e-6, "percentiles: exact mean");
	check_near(pg_moments_std(&h.ns), sqrt(1000.0 * 1001 / 12) * 1000, 1e-3, "percentiles: exact std");
	check(h.n == 1000, "percentiles: sample count", "%llu", (unsigned long long)h.n);

	/* Microsecond-scale values keep sub-microsecond precision. */
	memset(&h, 0, sizeof(h));
	for (unsigned i = 0; i < 99; i++)
		pg_hist_add(&h, 3200 + i % 3);
	pg_hist_add(&h, 50000);
	check_near(pg_hist_percentile(&h, 50), 3200, 100, "percentiles: 3.2 us within 0.1 us");
	check_near(pg_hist_percentile(&h, 100), 50000, 0, "percentiles: p100 is the max");
	check_near(pg_hist_percentile(&h, 0.001), 3200, 100, "percentiles: lowest rank near the min");

	memset(&h, 0, sizeof(h));
	check_near(pg_hist_percentile(&h, 50), 0, 0, "percentiles: empty histogram gives 0");
	pg_hist_add(&h, 123456);
	check_near(pg_hist_percentile(&h, 50), 123456, 0, "percentiles: one sample is every percentile");
}

static void test_histogram_precision(void)
{
	unsigned bad = 0, last = 0;
	double worst = 0;

	/* Every value lies in its bucket, buckets only grow, and each is at most
	 * max(0.1 us, 1/128 of its low edge) wide: half of that is the reported error. */
	for (double v = 0; v < 1e13; v = v < 1000 ? v + 7 : v * 1.0137) {
		uint64_t ns = (uint64_t)v, low, high;
		unsigned b = pg_hist_bucket(ns);

		pg_hist_bounds(b, &low, &high);
		if (ns < low || ns >= high || b < last)
			bad++;
		if ((double)(high - low) > fmax(PG_HIST_UNIT_NS, (double)low / 128) + 1e-9)
			bad++;
		if (ns >= 1000 && (double)(high - low) / 2 / (double)ns > worst)
			worst = (double)(high - low) / 2 / (double)ns;
		last = b;
	}
	check(bad == 0, "histogram: values inside their buckets, width as stated", "%u bad", bad);
	check(worst <= 0.05, "histogram: error above 1 us is below 5 %", "worst %.4f", worst);
	check(pg_hist_bucket(UINT64_MAX) == PG_HIST_BUCKETS - 1, "histogram: huge values clamp",
	      "bucket %u", pg_hist_bucket(UINT64_MAX));
}

static void test_seen_window(void)
{
	struct pg_seen s;

	if (!pg_seen_init(&s)) {
		check(0, "seen: init", "out of memory");
		return;
	}
	for (uint64_t q = 0; q < 10; q++)
		pg_seen_record(&s, q);
	check(pg_seen_record(&s, 5) == PG_SEEN_DUPLICATE, "seen: a repeat is a duplicate", "new");
	check(pg_seen_record(&s, 11) == PG_SEEN_NEW, "seen: a gap is new", "duplicate");
	check(pg_seen_record(&s, 10) == PG_SEEN_NEW, "seen: a late one is new", "duplicate");
	check(pg_seen_record(&s, 10) == PG_SEEN_DUPLICATE, "seen: a late repeat is a duplicate", "new");
	/* Far ahead: the ring slides; the slot of seq 5 now stands for 5 + window. */
	check(pg_seen_record(&s, PG_SEEN_WINDOW + 100) == PG_SEEN_NEW, "seen: far ahead", "duplicate");
	check(pg_seen_record(&s, PG_SEEN_WINDOW + 5) == PG_SEEN_NEW,
	      "seen: a reused slot starts empty", "duplicate");
	check(pg_seen_record(&s, 50) == PG_SEEN_NEW && s.too_old == 1,
	      "seen: older than the window counts as new", "too_old %llu",
	      (unsigned long long)s.too_old);
	pg_seen_free(&s);
}

static struct pg_echo echo(uint64_t seq, unsigned flow)
{
	return (struct pg_echo){.seq = seq, .flow = flow, .frame_bytes = 100, .has_rtt = true,
				.rtt_ns = 10000 + seq};
}

static void test_warmup_exclusion(void)
{
	const uint64_t second = 1000000000ull;
	struct pg_rx rx;
	struct pg_intervals iv;
	struct pg_echo e;

	if (!pg_rx_init(&rx, 2)) {
		check(0, "rx: init", "out of memory");
		return;
	}
	/* seqs 0..99 warm-up, 100..149 first measured second, 150..199 a last half second. */
	for (uint64_t q = 0; q < 60; q++) {
		e = echo(q, (unsigned)(q / 10 % 2));
		pg_rx_record(&rx, &e); /* warm-up echoes arriving before the window opens */
	}
	pg_rx_measure_start(&rx, 100);
	for (uint64_t q = 60; q < 100; q++) {
		e = echo(q, (unsigned)(q / 10 % 2));
		pg_rx_record(&rx, &e); /* late warm-up echoes arriving inside it */
	}
	pg_rx_interval_next(&rx, 150, second);
	for (uint64_t q = 100; q < 200; q++) {
		if (q == 120 || q == 140)
			continue; /* 120 lost, 140 comes back late */
		e = echo(q, (unsigned)(q / 10 % 2));
		pg_rx_record(&rx, &e);
	}
	e = echo(140, 0);
	pg_rx_record(&rx, &e); /* after 141..149 of flow 0: reordered */
	e = echo(130, 1);
	pg_rx_record(&rx, &e); /* again: a duplicate */
	e = echo(50, 1);
	pg_rx_record(&rx, &e); /* a warm-up duplicate: not counted anywhere */
	pg_rx_measure_end(&rx, 200, second / 2);
	e = echo(250, 0);
	pg_rx_record(&rx, &e); /* never sent */

	check(rx.any, "rx: measured once an echo came", "any false");
	check(rx.warmup_packets == 100, "rx: warm-up echoes kept apart", "%llu",
	      (unsigned long long)rx.warmup_packets);
	check(rx.packets == 99 && rx.bytes == 9900, "rx: only measured echoes count",
	      "%llu packets, %llu bytes", (unsigned long long)rx.packets, (unsigned long long)rx.bytes);
	check(rx.duplicates == 1, "rx: duplicates", "%llu", (unsigned long long)rx.duplicates);
	check(rx.reordered == 1, "rx: reordering per flow", "%llu", (unsigned long long)rx.reordered);
	check(rx.rtt.n == 99 && rx.rtt.min_ns == 10100 && rx.rtt.max_ns == 10199,
	      "rx: RTT of measured echoes only", "n %llu, %llu..%llu", (unsigned long long)rx.rtt.n,
	      (unsigned long long)rx.rtt.min_ns, (unsigned long long)rx.rtt.max_ns);
	check(rx.iv_rtt.n == 99 && rx.iv_rtt.min_ns == 10100,
	      "rx: the interval's RTTs, measured echoes only (until the interval line resets them)",
	      "n %llu, min %llu", (unsigned long long)rx.iv_rtt.n, (unsigned long long)rx.iv_rtt.min_ns);
	check(rx.iv_count == 2 && rx.iv[0].packets == 49 && rx.iv[1].packets == 50,
	      "rx: echoes by the interval their packet was sent in (the interval_echoes lines)",
	      "%zu intervals, %llu + %llu", rx.iv_count, (unsigned long long)rx.iv[0].packets,
	      (unsigned long long)rx.iv[1].packets);
	check_near(pg_rx_loss_ratio(&rx, 100), 0.01, 1e-12, "rx: loss ratio");
	check_near(pg_rx_loss_ratio(&rx, 0), 0, 0, "rx: loss ratio of nothing sent");
	pg_rx_intervals(&rx, second, &iv);
	check(iv.full.mbps.n == 1 && iv.partial.mbps.n == 1, "rx: echoes in their send intervals",
	      "%llu full, %llu partial", (unsigned long long)iv.full.mbps.n,
	      (unsigned long long)iv.partial.mbps.n);
	check_near(pg_intervals_result(&iv)->mpps.mean, 49e-6, 1e-12,
		   "rx: interval rate of the echoes (49 of the first 50)");
	pg_rx_free(&rx);
}

/* ---- frames ---- */

/* Byte-by-byte Internet checksum over the concatenation of parts: the reference. */
static uint16_t reference_sum(const uint8_t *const *parts, const size_t *lens, size_t n)
{
	uint32_t sum = 0;
	size_t at = 0;

	for (size_t p = 0; p < n; p++)
		for (size_t i = 0; i < lens[p]; i++, at++)
			sum += at % 2 == 0 ? (uint32_t)parts[p][i] << 8 : parts[p][i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_checksum_vectors(void)
{
	/* RFC 1071 section 3 example, and a textbook IPv4 header (checksum 0xb861). */
	const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	const uint8_t ip[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint8_t buf[301];
	static uint64_t prefix[302];
	unsigned bad = 0;

	check(pg_csum_fold(pg_csum_add(0, rfc, sizeof(rfc))) == (uint16_t)~0xddf2,
	      "checksum: RFC 1071 example", "%#x", pg_csum_fold(pg_csum_add(0, rfc, sizeof(rfc))));
	check(pg_csum_fold(pg_csum_add(0, ip, sizeof(ip))) == 0xb861, "checksum: IPv4 header example",
	      "%#x", pg_csum_fold(pg_csum_add(0, ip, sizeof(ip))));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	pg_csum_prefix(buf, sizeof(buf), prefix);
	for (size_t a = 0; a < sizeof(buf); a += 2)
		for (size_t b = a; b <= sizeof(buf); b += 3)
			if (prefix[b] - prefix[a] != pg_csum_add(0, buf + a, b - a))
				bad++;
	check(bad == 0, "checksum: prefix sums give the sum of any even-aligned range", "%u bad", bad);
}

static void test_raw_frame(unsigned frame_bytes)
{
	const uint8_t dst_mac[6] = {0x02, 0, 0, 0, 0, 2}, src_mac[6] = {0x02, 0, 0, 0, 0, 1};
	struct pg_raw_template t;
	uint8_t head[PG_RAW_HEAD + PG_HEADER_BYTES], body[9000], pseudo[12];
	size_t body_len = frame_bytes - PG_FCS_BYTES - sizeof(head);
	const uint8_t *ip = head + PG_ETH_HEAD, *udp = ip + 20;
	char name[64];

	for (size_t i = 0; i < body_len; i++)
		body[i] = (uint8_t)(i * 7 + 3);
	pg_raw_init(&t, dst_mac, src_mac, 0xc6120001u, 0xc6120002u, 9000);
	pg_raw_headers(&t, head, 40000, frame_bytes);
	pg_header_write(head + PG_RAW_HEAD, 0xfeedbeef, 123456, 0x0123456789abcdefull);
	pg_raw_udp_checksum(&t, head, pg_csum_add(0, body, body_len));

	snprintf(name, sizeof(name), "raw frame %u B: Ethernet header", frame_bytes);
	check(memcmp(head, dst_mac, 6) == 0 && memcmp(head + 6, src_mac, 6) == 0 && head[12] == 8 &&
		      head[13] == 0, name, "wrong MACs or type");
	snprintf(name, sizeof(name), "raw frame %u B: IPv4 length and checksum", frame_bytes);
	{
		const uint8_t *parts[] = {ip};
		size_t lens[] = {20};
		unsigned len = (unsigned)ip[2] << 8 | ip[3];

		check(reference_sum(parts, lens, 1) == 0xffff && len == frame_bytes - 18, name,
		      "sum %#x, length %u", reference_sum(parts, lens, 1), len);
	}
	snprintf(name, sizeof(name), "raw frame %u B: UDP checksum", frame_bytes);
	{
		unsigned udp_len = (unsigned)udp[4] << 8 | udp[5];
		const uint8_t *parts[] = {pseudo, udp, body};
		size_t lens[] = {sizeof(pseudo), 8 + PG_HEADER_BYTES, body_len};

		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = 17;
		pseudo[10] = udp[4];
		pseudo[11] = udp[5];
		check(reference_sum(parts, lens, 3) == 0xffff && udp_len == frame_bytes - 38 &&
			      (udp[6] | udp[7]) != 0, name, "sum %#x, length %u",
		      reference_sum(parts, lens, 3), udp_len);
	}
}

static void test_raw_frames(void)
{
	test_raw_frame(64);
	test_raw_frame(65);
	test_raw_frame(1500);
	test_raw_frame(9000);
}

/* ---- pacer (fake clock) ---- */

#define MS 1000000ull
#define SECOND 1000000000ull

/* What a simulated send loop did. */
struct paced {
	uint64_t batches, bytes;
	uint64_t stalls;
	double late_max_ns;       /* largest lateness reported at the start of a stall */
	uint64_t burst_max_bytes; /* most bytes sent back to back at one instant of the clock */
};

/* The fake clock, and how it misbehaves: timer wake-ups late by wake_late_ns, every send call
 * taking send_ns, and at most two stalls: the first batch due at or after at_ns starts len_ns
 * late. */
struct fake_clock {
	uint64_t now_ns;
	uint64_t wake_late_ns, send_ns;
	struct {
		uint64_t at_ns, len_ns;
	} stall[2];
};

/*
 * Drives the pacer like run_loop does, until end_ns: waits for the deadline (the clock jumps to
 * it, plus the wake-up lateness; a wait ends at end_ns at the latest), starts a batch of
 * batch_bytes and consumes it. Without send_ns the clock stands still while batches go out back
 * to back: that is a burst. Bounded by end_ns and by a count of batches.
 */
static void pacer_drive(struct pacer *p, struct fake_clock *c, uint64_t end_ns,
			uint64_t batch_bytes, struct paced *out)
{
	uint64_t burst_at = UINT64_MAX, burst = 0;

	for (unsigned guard = 0; guard < 10000000; guard++) {
		uint64_t deadline = pacer_deadline(p);
		double late;

		if (c->now_ns < deadline)
			c->now_ns = deadline + c->wake_late_ns < end_ns ? deadline + c->wake_late_ns : end_ns;
		for (unsigned i = 0; i < 2; i++)
			if (c->stall[i].len_ns && c->now_ns >= c->stall[i].at_ns) {
				c->now_ns += c->stall[i].len_ns;
				c->stall[i].len_ns = 0;
			}
		if (c->now_ns >= end_ns)
			return;
		if ((late = pacer_start(p, c->now_ns)) > 0) {
			out->stalls++;
			out->late_max_ns = fmax(out->late_max_ns, late);
		}
		pacer_consume(p, batch_bytes);
		out->batches++;
		out->bytes += batch_bytes;
		burst = c->now_ns == burst_at ? burst + batch_bytes : batch_bytes;
		burst_at = c->now_ns;
		if (burst > out->burst_max_bytes)
			out->burst_max_bytes = burst;
		c->now_ns += c->send_ns;
	}
	check(0, "pacer: drive", "more than 10^7 batches before %llu ns", (unsigned long long)end_ns);
}

/* Bytes a rate carries in a window: the reference the pacer is held to. */
static double rate_bytes(double rate_mbps, uint64_t window_ns)
{
	return rate_mbps * 1e6 / 8 * (double)window_ns / 1e9;
}

static void test_pacer_batch_packets(void)
{
	const struct {
		double rate_mbps, frame;
		unsigned most, expected;
	} cases[] = {
		{0, 1000, 32, 32},      /* no rate: the most */
		{-1, 1000, 32, 32},     /* below zero too */
		{100, 1000, 32, 12},    /* 1 ms of 100 Mbit/s is 12.5 kB: 12 frames */
		{100, 1000, 8, 8},      /* never above the most */
		{10, 1250, 64, 1},      /* exactly one frame per ms */
		{1, 1500, 32, 1},       /* less than a frame per ms: still one */
		{1000, 64, 2048, 1953}, /* 125 kB per ms of 64-byte frames */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = pacer_batch_packets(cases[i].rate_mbps, cases[i].frame, cases[i].most);
		char name[96];

		snprintf(name, sizeof(name), "pacer batch: %g Mbit/s of %g B, at most %u",
			 cases[i].rate_mbps, cases[i].frame, cases[i].most);
		check(got == cases[i].expected, name, "%u, expected %u", got, cases[i].expected);
	}
}

static void test_pacer_pps_mbps(void)
{
	const struct {
		double pps, frame, expected;
	} cases[] = {
		{10000, 64, 5.12},        /* 10 kpps of 64 B: 640 kB/s */
		{1, 1500, 0.012},
		{1488095, 84, 999.99984}, /* 1 GbE line rate of 64 B frames, counted in wire bytes */
		{0, 1000, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got = pacer_pps_mbps(cases[i].pps, cases[i].frame);
		char name[96];

		snprintf(name, sizeof(name), "pps as Mbit/s: %g frames/s of %g B", cases[i].pps, cases[i].frame);
		check(fabs(got - cases[i].expected) < 1e-9, name, "%.9g, expected %.9g", got, cases[i].expected);
	}
}

static void test_pacer_steady(void)
{
	const uint64_t start = 5 * SECOND; /* any origin: deadlines are relative to it */
	const struct {
		double rate_mbps;
		uint64_t batch_bytes, window_ns, wake_late_ns, batches;
	} cases[] = {
		/* batch time 1 ms: deadlines 0, 1, ..., 999 ms fall in 1 s */
		{10, 1250, SECOND, 0, 1000},
		/* 960 us per batch: ceil(1 s / 960 us) = 1042 */
		{100, 12000, SECOND, 0, 1042},
		/* 384 us per batch: ceil(1 s / 384 us) = 2605 */
		{1000, 48000, SECOND, 0, 2605},
		/* one 9000-byte frame every 720 ms at 0.1 Mbit/s: ceil(10 s / 720 ms) = 14 */
		{0.1, 9000, 10 * SECOND, 0, 14},
		/* wake-ups 30 us late: deadlines stay absolute, the last batch still fits */
		{100, 12000, SECOND, 30000, 1042},
		/* wake-ups late by more than a batch time: batches go in pairs, the rate holds; what
		 * fell due in the last 500 us is still unsent at the end (2603 = 2605 - 2) */
		{1000, 48000, SECOND, 500000, 2603},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pacer p;
		struct fake_clock c = {.now_ns = start, .wake_late_ns = cases[i].wake_late_ns};
		struct paced out = {0};
		double expected = rate_bytes(cases[i].rate_mbps, cases[i].window_ns);
		/* One batch, and the traffic due while the last wake-up was late. */
		double tolerance = (double)cases[i].batch_bytes +
				   rate_bytes(cases[i].rate_mbps, cases[i].wake_late_ns);
		char name[128];

		pacer_init(&p, cases[i].rate_mbps, (double)cases[i].batch_bytes, start);
		pacer_drive(&p, &c, start + cases[i].window_ns, cases[i].batch_bytes, &out);
		snprintf(name, sizeof(name), "pacer steady: %g Mbit/s, %llu B batches, wake-ups %llu us late",
			 cases[i].rate_mbps, (unsigned long long)cases[i].batch_bytes,
			 (unsigned long long)(cases[i].wake_late_ns / 1000));
		check(out.batches == cases[i].batches, name, "%llu batches, expected %llu",
		      (unsigned long long)out.batches, (unsigned long long)cases[i].batches);
		check(fabs((double)out.bytes - expected) <= tolerance, name,
		      "%llu bytes, expected %.0f +- %.0f", (unsigned long long)out.bytes, expected,
		      tolerance);
		check(out.stalls == 0, name, "%llu stalls", (unsigned long long)out.stalls);
		/* No drift: after N batches the deadline is exactly N batch times after the start. */
		check(pacer_deadline(&p) == start + (uint64_t)ceil((double)out.batches *
			(double)cases[i].batch_bytes * 8e3 / cases[i].rate_mbps), name,
		      "deadline %llu after %llu batches", (unsigned long long)pacer_deadline(&p),
		      (unsigned long long)out.batches);
	}
}

static void test_pacer_burst_after_idle(void)
{
	const struct {
		double rate_mbps;
		uint64_t batch_bytes, idle_ns, burst_batches, depth_bytes;
	} cases[] = {
		/* idle 50 ms, under the bucket: all of it is sent, deadlines 0..49.92 ms */
		{100, 12000, 50 * MS, 53, 1250000},
		/* idle 1 s: 100 ms of credit kept, 1.25 MB, sent as 105 batches */
		{100, 12000, SECOND, 105, 1250000},
		{1000, 48000, SECOND, 261, 12500000},
		/* a 720 ms batch: the bucket holds two batches, not 100 ms */
		{0.1, 9000, 10 * SECOND, 3, 18000},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pacer p;
		struct paced out = {0};
		uint64_t batch = cases[i].batch_bytes, now = cases[i].idle_ns;
		double late = 0;
		char name[128];

		/* The first call comes idle_ns after the start: send back to back while due. */
		pacer_init(&p, cases[i].rate_mbps, (double)batch, 0);
		for (unsigned guard = 0; guard < 100000 && pacer_deadline(&p) <= now; guard++) {
			double l = pacer_start(&p, now);

			late = out.batches == 0 ? l : late;
			out.stalls += l > 0;
			pacer_consume(&p, batch);
			out.batches++;
		}
		snprintf(name, sizeof(name), "pacer burst: %g Mbit/s after %llu ms idle",
			 cases[i].rate_mbps, (unsigned long long)(cases[i].idle_ns / MS));
		check(out.batches == cases[i].burst_batches, name, "%llu batches, expected %llu",
		      (unsigned long long)out.batches, (unsigned long long)cases[i].burst_batches);
		check(out.batches * batch <= cases[i].depth_bytes + batch, name,
		      "burst %llu B beyond the bucket (%llu B) and one batch",
		      (unsigned long long)(out.batches * batch), (unsigned long long)cases[i].depth_bytes);
		check(late == (double)cases[i].idle_ns && out.stalls == 1, name,
		      "lateness %.0f ns, %llu stalls", late, (unsigned long long)out.stalls);
	}
}

static void test_pacer_stalls(void)
{
	/* 100 Mbit/s in 12000-byte batches (960 us each) for 2 s; stalls around 0.5 s and 1.5 s.
	 * The batch due at 1.5 s is the 1563rd: its deadline is 1562 x 960 us = 1.49952 s. */
	const uint64_t window = 2 * SECOND, batch = 12000;
	const struct {
		const char *name;
		uint64_t stall_ns[2], send_ns;
		uint64_t stalls;
		double late_max_ns;
		uint64_t lost_ns; /* credit forgotten: traffic never sent */
		uint64_t burst_batches;
	} cases[] = {
		{"0.5 ms late: not a stall, caught up", {500000, 0}, 0, 0, 0, 0, 1},
		{"5 ms stall: counted, caught up", {0, 5 * MS}, 0, 1, 5 * MS, 0, 6},
		{"two 5 ms stalls: two", {5 * MS, 5 * MS}, 0, 2, 5 * MS, 0, 6},
		{"250 ms stall: 150 ms of credit forgotten", {0, 250 * MS}, 0, 1, 250 * MS,
		 150 * MS, 105},
		/* Every send call takes 1.2 ms, longer than a batch's 960 us: the sixth batch starts
		 * 1.2 ms late and the lateness only grows: one stall. 1667 batches in 2 s, the
		 * traffic of 1.60032 s: 399.68 ms of it never sent. */
		{"a rate out of reach: one stall", {0, 0}, 1200000, 1, 1200000, 399680000, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pacer p;
		struct fake_clock c = {.send_ns = cases[i].send_ns,
				       .stall = {{SECOND / 2, cases[i].stall_ns[0]},
						 {3 * SECOND / 2, cases[i].stall_ns[1]}}};
		struct paced out = {0};
		double expected = rate_bytes(100, window - cases[i].lost_ns);
		char name[128];

		pacer_init(&p, 100, (double)batch, 0);
		pacer_drive(&p, &c, window, batch, &out);
		snprintf(name, sizeof(name), "pacer stalls: %s", cases[i].name);
		check(out.stalls == cases[i].stalls, name, "%llu stalls, expected %llu",
		      (unsigned long long)out.stalls, (unsigned long long)cases[i].stalls);
		check(out.late_max_ns == cases[i].late_max_ns, name, "lateness %.0f ns, expected %.0f",
		      out.late_max_ns, cases[i].late_max_ns);
		check(out.burst_max_bytes == cases[i].burst_batches * batch, name,
		      "burst %llu B, expected %llu batches", (unsigned long long)out.burst_max_bytes,
		      (unsigned long long)cases[i].burst_batches);
		check(fabs((double)out.bytes - expected) <= (double)batch, name,
		      "%llu bytes, expected %.0f within one batch", (unsigned long long)out.bytes,
		      expected);
	}
}

static void test_pacer_rate_change(void)
{
	const uint64_t batch = 12000;
	const struct {
		const char *name;
		double from_mbps, to_mbps;
		uint64_t idle_ns; /* before the change, nothing sent: a stall */
		uint64_t batches_after, burst_batches;
	} cases[] = {
		/* 2000 B sent ahead at the change (160 us at 100) take 320 us at 50: the first batch
		 * is due at 500.32 ms, then every 1.92 ms: 521 before 1.5 s. */
		{"100 -> 50 Mbit/s", 100, 50, 0, 521, 1},
		{"100 -> 400 Mbit/s", 100, 400, 0, 4167, 1},
		/* Nothing sent from 192 ms (a deadline) to the change: 308 ms of traffic due, 616 ms
		 * at the new rate; 100 ms of it kept, sent at once (53 x 1.92 ms), then 1.92 ms
		 * apart from 400 ms on: 573 batches before 1.5 s. */
		{"100 -> 50 Mbit/s after a 308 ms stall", 100, 50, 308 * MS, 573, 53},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint64_t change = SECOND / 2, end = change + SECOND;
		struct pacer p;
		struct fake_clock c = {.stall = {{change - cases[i].idle_ns, cases[i].idle_ns}}};
		struct paced before = {0}, after = {0};
		double depth_bytes = rate_bytes(cases[i].to_mbps, (uint64_t)PACER_DEPTH_NS);
		double expected = rate_bytes(cases[i].to_mbps, SECOND);
		char name[128];

		pacer_init(&p, cases[i].from_mbps, (double)batch, 0);
		pacer_drive(&p, &c, change, batch, &before);
		pacer_set_rate(&p, cases[i].to_mbps, (double)batch, change);
		pacer_drive(&p, &c, end, batch, &after);
		snprintf(name, sizeof(name), "pacer rate change: %s", cases[i].name);
		check(after.batches == cases[i].batches_after, name, "%llu batches after, expected %llu",
		      (unsigned long long)after.batches, (unsigned long long)cases[i].batches_after);
		check(after.burst_max_bytes == cases[i].burst_batches * batch, name,
		      "burst %llu B, expected %llu batches", (unsigned long long)after.burst_max_bytes,
		      (unsigned long long)cases[i].burst_batches);
		check(after.burst_max_bytes <= depth_bytes + batch, name, "burst %llu B beyond the bucket",
		      (unsigned long long)after.burst_max_bytes);
		/* The new rate over the second after the change, plus what the stall left due. */
		expected += cases[i].idle_ns ? depth_bytes : 0;
		check(fabs((double)after.bytes - expected) <= (double)batch, name,
		      "%llu bytes, expected %.0f within one batch", (unsigned long long)after.bytes, expected);
	}
}

/*
 * The ceiling a caller's --max-rate relies on: over ANY 100 ms window a paced sender carries at
 * most the rate's 100 ms, plus one bucket depth of credit (a catch-up burst after a stall), plus
 * one batch; and by any time T at most rate x T plus one batch since the start. Driven through
 * 5 s of a clock that stalls at pseudo-random times for 0..250 ms (longer than the bucket).
 */
static void test_pacer_window_ceiling(void)
{
	enum { MAX_BATCHES = 20000 };
	static uint64_t at_ns[MAX_BATCHES];
	const struct {
		double rate_mbps;
		uint64_t batch_bytes;
	} cases[] = {{10, 1250}, {1000, 48000}, {0.1, 9000}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint64_t end = 5 * SECOND, batch = cases[i].batch_bytes, window = 100 * MS;
		double rate = cases[i].rate_mbps;
		uint64_t now = 0, n = 0, next_stall = 37 * MS, seed = 12345, cum_excess = 0;
		uint64_t window_max = 0, in_window = 0;
		struct pacer p;
		char name[128];
		double depth_bytes, limit;

		pacer_init(&p, rate, (double)batch, 0);
		depth_bytes = p.depth_ns / p.ns_per_byte;
		while (n < MAX_BATCHES) {
			if (now < pacer_deadline(&p))
				now = pacer_deadline(&p);
			if (now >= next_stall) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				now += (seed >> 33) % (250 * MS);
				next_stall = now + 20 * MS + (seed >> 20) % (300 * MS);
			}
			if (now >= end)
				break;
			pacer_start(&p, now);
			/* Sent so far, this batch included, against the rate since the start. */
			if ((double)((n + 1) * batch) > rate_bytes(rate, now) + (double)batch)
				cum_excess++;
			pacer_consume(&p, batch);
			at_ns[n++] = now;
		}
		/* Windows that start at a batch hold the most: slide one over every batch. */
		for (uint64_t first = 0, last = 0; first < n; first++) {
			while (last < n && at_ns[last] < at_ns[first] + window)
				last++, in_window += batch;
			if (in_window > window_max)
				window_max = in_window;
			in_window -= batch;
		}
		limit = rate_bytes(rate, window) + depth_bytes + (double)batch;
		snprintf(name, sizeof(name), "pacer ceiling: %g Mbit/s, %llu B batches, stalls to 250 ms",
			 rate, (unsigned long long)batch);
		check(n > 0 && n < MAX_BATCHES, name, "%llu batches", (unsigned long long)n);
		check((double)window_max <= limit, name, "%llu B in a 100 ms window, at most %.0f",
		      (unsigned long long)window_max, limit);
		check(cum_excess == 0, name, "%llu batches went ahead of rate x time + one batch",
		      (unsigned long long)cum_excess);
	}
}

static void test_pacer_off_and_on(void)
{
	struct pacer p;

	pacer_init(&p, 0, 1000, 7 * SECOND);
	check(pacer_deadline(&p) == 0 && pacer_start(&p, 9 * SECOND) == 0 &&
		      !pacer_owes_before(&p, 8 * SECOND, 9 * SECOND),
	      "pacer without a rate: always due, no stall, owes nothing", "deadline %llu",
	      (unsigned long long)pacer_deadline(&p));
	pacer_set_rate(&p, 100, 12000, 9 * SECOND);
	check(pacer_deadline(&p) == 9 * SECOND, "pacer turned on: first batch due at once, no credit",
	      "deadline %llu", (unsigned long long)pacer_deadline(&p));
	pacer_consume(&p, 12000);
	check(pacer_deadline(&p) == 9 * SECOND + 960000, "pacer turned on: then at the rate",
	      "deadline %llu", (unsigned long long)pacer_deadline(&p));
	pacer_set_rate(&p, 0, 12000, 9 * SECOND);
	check(pacer_deadline(&p) == 0, "pacer turned off: always due", "deadline %llu",
	      (unsigned long long)pacer_deadline(&p));
}

static void test_pacer_owes_before(void)
{
	/* One batch sent at 100 Mbit/s from 0: the next is due at 960 us. */
	const struct {
		uint64_t boundary_ns, now_ns;
		bool owes;
	} cases[] = {
		{MS, MS, true},                /* due before the boundary, not sent: owed */
		{960000, 2 * MS, false},       /* due at the boundary: the next interval's */
		{MS, MS + 99999999, true},     /* still within one bucket depth */
		{MS, MS + 100 * MS, false},    /* a bucket depth past: given up */
	};
	struct pacer p;

	pacer_init(&p, 100, 12000, 0);
	pacer_consume(&p, 12000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "pacer owes: boundary %llu ns, now %llu ns",
			 (unsigned long long)cases[i].boundary_ns, (unsigned long long)cases[i].now_ns);
		check(pacer_owes_before(&p, cases[i].boundary_ns, cases[i].now_ns) == cases[i].owes,
		      name, "expected %s", cases[i].owes ? "true" : "false");
	}
}

/* ---- merging the statistics of several threads ---- */

static void test_moments_merge(void)
{
	const double xs[] = {2, 4, 4, 4, 5, 5, 7, 9, 11, 1};
	struct pg_moments all = {0}, a = {0}, b = {0}, empty = {0};

	for (size_t i = 0; i < 10; i++) {
		pg_moments_add(&all, xs[i]);
		pg_moments_add(i < 3 ? &a : &b, xs[i]);
	}
	pg_moments_merge(&a, &b);
	check(a.n == 10, "moments merge: count", "%llu", (unsigned long long)a.n);
	check_near(a.mean, all.mean, 1e-12, "moments merge: mean as one set");
	check_near(pg_moments_std(&a), pg_moments_std(&all), 1e-12, "moments merge: std as one set");
	pg_moments_merge(&empty, &b);
	check_near(empty.mean, b.mean, 0, "moments merge: into an empty set");
}

static void test_hist_merge(void)
{
	static struct pg_hist all, a, b;
	const double ps[] = {25, 50, 90, 99, 99.9};

	for (uint64_t i = 1; i <= 20000; i++) {
		uint64_t ns = (i * 7919) % 5000000 + 1000;

		pg_hist_add(&all, ns);
		pg_hist_add(i % 3 ? &a : &b, ns);
	}
	pg_hist_merge(&a, &b);
	check(a.n == all.n && a.min_ns == all.min_ns && a.max_ns == all.max_ns, "hist merge: n, min, max",
	      "n %llu min %llu max %llu", (unsigned long long)a.n, (unsigned long long)a.min_ns,
	      (unsigned long long)a.max_ns);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		check_near(pg_hist_percentile(&a, ps[i]), pg_hist_percentile(&all, ps[i]), 0,
			   "hist merge: percentile as one histogram");
	check_near(a.ns.mean, all.ns.mean, 1e-6, "hist merge: exact mean");
}

static void test_rx_merge(void)
{
	struct pg_rx to, x, y;
	struct pg_intervals iv;

	check(pg_rx_init(&to, 1) && pg_rx_init(&x, 1) && pg_rx_init(&y, 1), "rx merge: init", "out of memory");
	/* Thread x: two measured intervals of 1 s; thread y stopped early, one of 0.5 s. */
	pg_rx_measure_start(&x, 0);
	pg_rx_interval_next(&x, 10, 1000000000ull);
	pg_rx_measure_end(&x, 20, 1000000000ull);
	pg_rx_measure_start(&y, 0);
	pg_rx_measure_end(&y, 10, 500000000ull);
	for (uint64_t s = 0; s < 20; s++) {
		struct pg_echo e = {.seq = s, .frame_bytes = 100, .has_rtt = true, .rtt_ns = 1000 * (s + 1)};

		pg_rx_record(&x, &e);
		if (s < 10 && s != 3)
			pg_rx_record(&y, &e);
	}
	check(pg_rx_merge(&to, &x) && pg_rx_merge(&to, &y), "rx merge: merge", "out of memory");
	check(to.any && to.packets == 29 && to.bytes == 2900, "rx merge: counters summed",
	      "packets %llu bytes %llu", (unsigned long long)to.packets, (unsigned long long)to.bytes);
	check(to.rtt.n == 29 && to.rtt.max_ns == 20000, "rx merge: RTT samples merged", "n %llu",
	      (unsigned long long)to.rtt.n);
	check(to.iv_count == 2 && to.iv[0].packets == 19 && to.iv[1].packets == 10 &&
		      to.iv[0].len_ns == 1000000000ull,
	      "rx merge: intervals summed by index", "count %zu", to.iv_count);
	pg_rx_intervals(&to, 1000000000ull, &iv);
	check_near(iv.full.mpps.mean, 14.5e-6, 1e-12, "rx merge: rates of the merged intervals");
	check_near(pg_rx_loss_ratio(&to, 30), 1.0 / 30, 1e-12, "rx merge: loss of the merged echoes");
	pg_rx_free(&to);
	pg_rx_free(&x);
	pg_rx_free(&y);
}

/* ---- size mix ---- */

static struct size_mix g_mix; /* 10 KB: off the stack */

static void test_size_mix_imix(void)
{
	/* Worked by hand: credit +7 +4 +1 each step, the most goes and pays 12, ties to the first. */
	const unsigned first[12] = {64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594, 64};
	const char *why = size_mix_parse("64:7,594:4,1518:1", PG_FRAME_MIN, PG_FRAME_MAX, &g_mix);
	unsigned run = 0, longest = 0;

	check(why == NULL, "mix: IMIX parses", "%s", why ? why : "");
	check(g_mix.count == 3 && g_mix.total == 12, "mix: IMIX has 3 sizes, period 12", "%u, %u",
	      g_mix.count, g_mix.total);
	/* Smooth weighted round robin: the 7 small frames are spread out, not sent back to back. */
	for (unsigned i = 0; i < 12; i++)
		check(size_mix_frame(&g_mix, i) == first[i], "mix: IMIX order", "position %u: %u, expected %u",
		      i, size_mix_frame(&g_mix, i), first[i]);
	for (unsigned i = 0; i < 24; i++) {
		run = size_mix_frame(&g_mix, i) == 64 ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	check(longest <= 2, "mix: at most 2 small frames in a row", "%u", longest);
	check_near(size_mix_mean(&g_mix), (7 * 64 + 4 * 594 + 1518) / 12.0, 1e-9, "mix: IMIX mean frame");
}

static void test_size_mix_windows(void)
{
	uint64_t counts[3] = {0};

	size_mix_parse("64:7,594:4,1518:1", PG_FRAME_MIN, PG_FRAME_MAX, &g_mix);
	/* Any window of whole periods holds the exact proportions, wherever it starts. */
	for (uint64_t from = 0; from < 30; from += 7)
		for (unsigned i = 0; i < 3; i++)
			check(size_mix_count(&g_mix, i, from, from + 1200) == 100 * g_mix.weight[i],
			      "mix: exact over whole periods", "from %llu size %u: %llu",
			      (unsigned long long)from, g_mix.size[i],
			      (unsigned long long)size_mix_count(&g_mix, i, from, from + 1200));
	/* Counts agree with the frames chosen packet by packet, over a window that is no period. */
	for (uint64_t seq = 5; seq < 1005; seq++)
		for (unsigned i = 0; i < 3; i++)
			counts[i] += size_mix_frame(&g_mix, seq) == g_mix.size[i];
	for (unsigned i = 0; i < 3; i++)
		check(size_mix_count(&g_mix, i, 5, 1005) == counts[i], "mix: counts match the frames",
		      "size %u: %llu, expected %llu", g_mix.size[i],
		      (unsigned long long)size_mix_count(&g_mix, i, 5, 1005),
		      (unsigned long long)counts[i]);
	/* Within one frame per size over any window. */
	for (unsigned i = 0; i < 3; i++)
		check_near((double)size_mix_count(&g_mix, i, 3, 3 + 1000), 1000.0 * g_mix.weight[i] / 12,
			   1.0, "mix: any window within one frame per size");
}

static void test_size_mix_refused(void)
{
	static const char *const BAD[] = {
		"", "64:", ":7", "64:0", "64:7,", "64;7", "63:1", "9001:1", "64:1,64:2", "64:10001",
		"64:5000,65:5001", "64:-1", "64:1x", "64:1,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80",
	};

	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
		check(size_mix_parse(BAD[i], PG_FRAME_MIN, PG_FRAME_MAX, &g_mix) != NULL,
		      "mix: bad text refused", "'%s' was accepted", BAD[i]);
	check(size_mix_parse("100,200:3", PG_FRAME_MIN, PG_FRAME_MAX, &g_mix) == NULL &&
		      g_mix.weight[0] == 1 && g_mix.total == 4,
	      "mix: a bare size weighs 1", "total %u", g_mix.total);
}

/* Runs one group of checks and says whether all of them passed. */
static void run(const char *name, void (*test)(void))
{
	unsigned failed = g_failed;

	test();
	printf("%s %s\n", g_failed == failed ? "ok  " : "FAIL", name);
}

/* ---- one-way figures ---- */

static void test_ow_block(void)
{
	uint8_t p[PG_OW_BYTES];
	struct pg_ow_block in = {.marker = PG_OW_ANSWER, .clock_id = 0xdeadbeef,
				 .rx_ns = 0x0102030405060708ull, .tx_ns = 0x1112131415161718ull,
				 .received = 7, .dropped = 0xfffffffe, .overflow = 3, .flags = 1,
				 .stream = 0x0203},
			   out;

	pg_ow_write(p, &in);
	check(p[0] == 'P' && p[1] == 'G' && p[2] == 'O' && p[3] == 'W', "one-way: answer marker",
	      "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
	check(p[8] == 1 && p[15] == 8, "one-way: rx_ns big-endian at 8", "%02x %02x", p[8], p[15]);
	pg_ow_read(p, &out);
	check(memcmp(&in, &out, sizeof(in)) == 0, "one-way: block round trip", "differs");
	check(p[38] == 2 && p[39] == 3, "one-way: stream big-endian at 38", "%02x %02x", p[38], p[39]);
	pg_ow_write_ask(p, 5);
	pg_ow_read(p, &out);
	check(out.marker == PG_OW_ASK && out.rx_ns == 0 && out.received == 0 && out.flags == 0 &&
		      out.stream == 5,
	      "one-way: ask is the marker, zeros and the stream", "marker %08x", out.marker);
}

static void test_ow_tags(void)
{
	static struct pg_ow_tags t;
	const uint64_t idle = PG_OW_TAG_IDLE_NS;
	uint64_t now = 1000;
	struct pg_ow_tag *a = pg_ow_tag_find(&t, 42, now);

	a->received = 5;
	check(pg_ow_tag_find(&t, 42, now)->received == 5, "one-way tags: found again", "lost");
	check(pg_ow_tag_find(&t, pg_ow_key(42, 1), now)->received == 0,
	      "one-way tags: another stream of the tag counts apart", "shared");
	/* Fill every other slot: the table is full of live keys. */
	for (uint32_t i = 0; i < PG_OW_TAGS - 2; i++)
		pg_ow_tag_find(&t, 1000 + i, now)->received = 1;
	/* A flood of new keys evicts no live one: it finds no slot, and the running counts stay. */
	for (uint32_t i = 0; i < 10 * PG_OW_TAGS; i++)
		check(pg_ow_tag_find(&t, 99999 + i, now + idle - 1) == NULL,
		      "one-way tags: no slot while every key is live", "evicted a live key");
	check(pg_ow_tag_find(&t, 42, now + idle - 1)->received == 5,
	      "one-way tags: a live tag survives a flood", "lost");
	/* Once idle long enough, the least recently seen key makes room (42 was just seen). */
	check(pg_ow_tag_find(&t, 99999, now + idle) != NULL, "one-way tags: an idle key makes room",
	      "no slot");
	check(pg_ow_tag_find(&t, 42, now + idle)->received == 5,
	      "one-way tags: the recently seen tag is kept", "lost");
	check(pg_ow_tag_find(&t, 1000, now + idle)->received == 1,
	      "one-way tags: one key made room, the others are kept", "lost");
	check(pg_ow_tag_find(&t, pg_ow_key(42, 1), now + idle)->received == 0,
	      "one-way tags: the least recently seen was evicted", "still there");
}

static void test_ow_jitter(void)
{
	struct pg_ow_direction d = {0};

	pg_ow_jitter_add(&d, 1000);
	check(d.jitter_ns == 0 && d.jitter_samples == 0, "jitter: first packet has no D", "%f",
	      d.jitter_ns);
	pg_ow_jitter_add(&d, 2600);
	check_near(d.jitter_ns, 100, 1e-9, "jitter: J += (|D| - J) / 16");
	pg_ow_jitter_add(&d, 1000);
	check_near(d.jitter_ns, 100 + (1600 - 100) / 16.0, 1e-9, "jitter: |D| of a negative D");
	/* Transit alternating by 2a: |D| = 2a every time, J converges to it. */
	for (int i = 0; i < 400; i++)
		pg_ow_jitter_add(&d, i % 2 ? 5000 : 3000);
	check_near(d.jitter_ns, 2000, 1, "jitter: converges to E|D|");
}

/*
 * A simulated path: packets 0..n-1, every fwd_every-th lost on the way out, every drop_every-th
 * arrival dropped by the reflector, every ret_every-th echo lost on the way back; the reflector's
 * counters start near 2^32 to cross the wrap.
 */
static void simulate_ow(struct pg_ow *ow, uint64_t n, unsigned fwd_every, unsigned drop_every,
			unsigned ret_every)
{
	uint32_t received = 0xffffff00u, dropped = 0xfffffff0u;
	unsigned echoed = 0;

	pg_ow_init(ow, true);
	for (uint64_t seq = 0; seq < n; seq++) {
		struct pg_ow_block b;

		if (seq % fwd_every == fwd_every - 1)
			continue;
		received++;
		b = (struct pg_ow_block){.marker = PG_OW_ANSWER, .clock_id = 1,
					 .rx_ns = 1000000 + seq * 1000 + 500, .tx_ns = 0,
					 .received = received, .dropped = dropped};
		if (received % drop_every == 0) {
			dropped++;
			continue;
		}
		b.tx_ns = b.rx_ns + 100;
		if (++echoed % ret_every == 0)
			continue;
		pg_ow_record(ow, &(struct pg_ow_echo){.seq = seq, .block = &b, .timed = true,
						      .t1_ns = 1000000 + (int64_t)seq * 1000,
						      .t4_ns = (int64_t)b.tx_ns + 700,
						      .comparable = true});
	}
}

static void test_ow_loss(void)
{
	struct pg_ow ow;
	struct pg_ow_loss l;

	pg_ow_init(&ow, true);
	check(!pg_ow_loss(&ow, &l), "one-way loss: nothing below two answers", "counted");
	simulate_ow(&ow, 100000, 20, 50, 100);
	check(pg_ow_loss(&ow, &l), "one-way loss: counted", "not counted");
	check_near(l.fwd_loss, 0.05, 0.0005, "one-way loss: 5 % forward");
	check_near(l.ret_loss, 0.01, 0.0005, "one-way loss: 1 % return");
	check_near((double)l.reflector_dropped, 95000 / 50.0, 2, "one-way loss: reflector drops");
	check_near(ow.fwd.jitter_ns, 0, 1e-9, "one-way: constant forward transit, no jitter");
	check_near(ow.fwd.delay.ns.mean, 500, 1e-6, "one-way: forward delay");
	check_near(ow.ret.delay.ns.mean, 700, 1e-6, "one-way: return delay");
	check(ow.negative_delays == 0 && ow.clocks_comparable, "one-way: comparable clocks", "no");
	/* An answer without counts (the reflector's table was full): its zeros count for nothing. */
	{
		struct pg_ow_block b = {.marker = PG_OW_ANSWER, .clock_id = 1, .rx_ns = 2000000000,
					.tx_ns = 2000000100, .flags = PG_OW_FLAG_UNCOUNTED};
		uint64_t counted = ow.counted;

		pg_ow_record(&ow, &(struct pg_ow_echo){.seq = 200000, .block = &b, .comparable = true});
		check(pg_ow_loss(&ow, &l) && ow.counted == counted && ow.answered == counted + 1,
		      "one-way loss: an uncounted answer is answered, not counted", "%llu",
		      (unsigned long long)ow.counted);
		check_near(l.fwd_loss, 0.05, 0.0005, "one-way loss: unchanged by an uncounted answer");
	}
	{
		struct pg_ow only;
		struct pg_ow_block b = {.marker = PG_OW_ANSWER, .flags = PG_OW_FLAG_UNCOUNTED};

		pg_ow_init(&only, false);
		for (uint64_t seq = 0; seq < 10; seq++)
			pg_ow_record(&only, &(struct pg_ow_echo){.seq = seq, .block = &b});
		check(!pg_ow_loss(&only, &l), "one-way loss: none from uncounted answers only", "counted");
	}
}

static void test_ow_sum(void)
{
	static struct pg_ow a, b;
	static struct pg_ow_sum s;

	/* Two threads: 5 % and 1 % forward loss over equal spans: 3 % together. */
	simulate_ow(&a, 100000, 20, 1000000, 1000000);
	simulate_ow(&b, 100000, 100, 1000000, 1000000);
	pg_ow_sum_init(&s);
	pg_ow_sum_add(&s, &a);
	pg_ow_sum_add(&s, &b);
	check(s.counted && s.answered == a.answered + b.answered, "one-way sum: answers added", "%llu",
	      (unsigned long long)s.answered);
	check_near(s.loss.fwd_loss, 0.03, 0.0005, "one-way sum: forward loss over the summed counts");
	check_near(s.loss.ret_loss, 0, 1e-9, "one-way sum: no return loss");
	check(s.fwd_delay.n == a.fwd.delay.n + b.fwd.delay.n, "one-way sum: delays merged", "%llu",
	      (unsigned long long)s.fwd_delay.n);
	a.fwd.jitter_ns = 100;
	b.fwd.jitter_ns = 400;
	b.fwd.jitter_samples = 3 * a.fwd.jitter_samples;
	pg_ow_sum_init(&s);
	pg_ow_sum_add(&s, &a);
	pg_ow_sum_add(&s, &b);
	check_near(s.fwd_jitter_ns, 325, 1e-6, "one-way sum: jitter weighted by its samples");
}

static void test_ow_clocks(void)
{
	struct pg_ow ow;
	struct pg_ow_block b = {.marker = PG_OW_ANSWER, .rx_ns = 1000, .tx_ns = 2000};

	pg_ow_init(&ow, true);
	pg_ow_record(&ow, &(struct pg_ow_echo){.seq = 1, .block = &b, .timed = true, .t1_ns = 1500,
					       .t4_ns = 2100, .comparable = true});
	check(ow.negative_delays == 1 && ow.fwd.delay.n == 0 && ow.ret.delay.n == 1,
	      "one-way: a negative delay is counted, not recorded", "%llu",
	      (unsigned long long)ow.negative_delays);
	b.rx_ns = 5000;
	pg_ow_record(&ow, &(struct pg_ow_echo){.seq = 2, .block = &b, .timed = true, .t1_ns = 1500,
					       .t4_ns = 2100, .comparable = false});
	check(!ow.clocks_comparable && ow.fwd.delay.n == 0 && ow.fwd.jitter_samples == 1,
	      "one-way: other clocks: jitter but no delay", "comparable %d", ow.clocks_comparable);
	check(pg_ow_clock_id("3f1c\n") == pg_ow_clock_id("3f1c") && pg_ow_clock_id("") != 0 &&
		      pg_ow_clock_id("a") != pg_ow_clock_id("b"),
	      "one-way: clock id of a boot id", "bad hash");
}

int main(void)
{
	run("moments: mean and sample std", test_moments);
	run("interval mean/std, partial interval excluded", test_interval_mean_std);
	run("percentiles against a known set", test_percentiles_known_set);
	run("histogram precision: 1 us or 1 %, whichever is coarser", test_histogram_precision);
	run("duplicate window", test_seen_window);
	run("warm-up exclusion, loss, duplicates, reordering", test_warmup_exclusion);
	run("Internet checksum", test_checksum_vectors);
	run("raw Ethernet/IPv4/UDP frames", test_raw_frames);
	run("pacer: packets per batch", test_pacer_batch_packets);
	run("pacer: a packet rate as Mbit/s", test_pacer_pps_mbps);
	run("pacer: steady rate on a fake clock", test_pacer_steady);
	run("pacer: burst after idle capped at one bucket", test_pacer_burst_after_idle);
	run("pacer: stalls counted, credit beyond one bucket dropped", test_pacer_stalls);
	run("pacer: rate changes", test_pacer_rate_change);
	run("pacer: without a rate, and turned on and off", test_pacer_off_and_on);
	run("pacer: the ceiling over any 100 ms window", test_pacer_window_ceiling);
	run("pacer: traffic owed before a boundary", test_pacer_owes_before);
	run("merge: moments of two sets as one", test_moments_merge);
	run("merge: histograms", test_hist_merge);
	run("merge: echoes of two threads", test_rx_merge);
	run("one-way: block layout", test_ow_block);
	run("one-way: reflector tag counts", test_ow_tags);
	run("one-way: RFC 3550 jitter", test_ow_jitter);
	run("one-way: forward, return and reflector loss", test_ow_loss);
	run("one-way: clocks and delays", test_ow_clocks);
	run("one-way: streams of several threads as one", test_ow_sum);
	run("size mix: IMIX interleaved in smooth weighted round robin", test_size_mix_imix);
	run("size mix: exact over any window", test_size_mix_windows);
	run("size mix: bad text refused", test_size_mix_refused);
	printf("%u passed, %u failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
