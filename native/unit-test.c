// SPDX-License-Identifier: MIT
/*
 * Unit tests of the pure parts of pktgen-emit: statistics (stats.c) and raw frames (frame.c).
 * `make -C native test` builds and runs it; it prints one line per check and ends with
 * "N passed, N failed"; the exit code is 1 when anything failed.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "pktgen-emit.h"
#include "stats.h"

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

/* Runs one group of checks and says whether all of them passed. */
static void run(const char *name, void (*test)(void))
{
	unsigned failed = g_failed;

	test();
	printf("%s %s\n", g_failed == failed ? "ok  " : "FAIL", name);
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
	printf("%u passed, %u failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
