// SPDX-License-Identifier: MIT
/* The JSON lines of `send`: one per interval, one summary (see README.md, "Output"). */

#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "send-internal.h"

/* One line of JSON, built in place; a line never comes near the size. */
struct line {
	char text[4096];
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
}

static void add_u64(struct line *l, const char *key, uint64_t v)
{
	add(l, ",\"%s\":%" PRIu64, key, v);
}

static void add_num(struct line *l, const char *key, double v)
{
	add(l, ",\"%s\":%.6f", key, v);
}

/* A figure that was not measured is null, never 0. */
static void add_measured(struct line *l, const char *key, bool measured, double v)
{
	if (measured)
		add_num(l, key, v);
	else
		add(l, ",\"%s\":null", key);
}

static void emit(struct line *l)
{
	add(l, "}\n");
	/* Flushed per line: the node daemon reads the reports while the run goes on. */
	if (fputs(l->text, stdout) < 0 || fflush(stdout))
		pg_fail(PG_EXIT_FAILURE, "cannot write the report to stdout: %s", strerror(errno));
}

/* RTT p50/p99 of the echoes that arrived in an interval, when any carried a timestamp. */
static void add_interval_rtt(struct line *l, const struct pg_hist *h)
{
	if (h->n == 0)
		return;
	add(l, ",\"rtt_p50_us\":%.3f,\"rtt_p99_us\":%.3f", pg_hist_percentile(h, 50) / 1e3,
	    pg_hist_percentile(h, 99) / 1e3);
	add_u64(l, "rtt_samples", h->n);
}

void report_interval(const struct run *r, const struct interval *iv, uint64_t end_ns,
		     uint64_t rx_packets, uint64_t rx_bytes)
{
	double secs = (double)(end_ns - iv->start_ns) / 1e9;
	struct line l = {.len = 0};

	add(&l, "{\"event\":\"interval\",\"phase\":\"%s\",\"t\":%.3f", PHASE_NAMES[iv->phase],
	    (double)(end_ns - r->start_ns) / 1e9);
	add_u64(&l, "tx_packets", iv->c.packets);
	add_u64(&l, "tx_bytes", iv->c.bytes);
	add_num(&l, "tx_mbps", pg_mbps(iv->c.bytes, secs));
	add_num(&l, "tx_mpps", pg_mpps(iv->c.packets, secs));
	add_u64(&l, "rx_packets", rx_packets);
	add_u64(&l, "rx_bytes", rx_bytes);
	add_u64(&l, "stalls", iv->c.stalls);
	add_interval_rtt(&l, &r->rx.stats.iv_rtt);
	emit(&l);
}

/*
 * One line per measured interval, before the summary, once every late echo is in: the echoes of
 * the packets sent in it (by send time, as the summary counts them), so per-interval loss is exact.
 */
static void report_interval_echoes(const struct pg_rx *rx)
{
	for (size_t i = 0; i < rx->iv_count; i++) {
		struct line l = {.len = 0};

		add(&l, "{\"event\":\"interval_echoes\",\"index\":%zu", i);
		add_u64(&l, "rx_packets", rx->iv[i].packets);
		add_u64(&l, "rx_bytes", rx->iv[i].bytes);
		emit(&l);
	}
}

static void add_series(struct line *l, const char *kind, const struct pg_series *s, bool measured)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_mbps_mean", kind);
	add_measured(l, key, measured, s->mbps.mean);
	snprintf(key, sizeof(key), "%s_mbps_std", kind);
	add_measured(l, key, measured, pg_moments_std(&s->mbps));
	snprintf(key, sizeof(key), "%s_mpps_mean", kind);
	add_measured(l, key, measured, s->mpps.mean);
	snprintf(key, sizeof(key), "%s_mpps_std", kind);
	add_measured(l, key, measured, pg_moments_std(&s->mpps));
	snprintf(key, sizeof(key), "%s_wire_mbps_mean", kind);
	add_measured(l, key, measured, s->wire_mbps.mean);
}

/* Percentiles of a histogram of ns, in us, as "key":{...}. */
static void add_rtt(struct line *l, const char *key, const struct pg_hist *h)
{
	static const struct {
		const char *key;
		double p;
	} PERCENTILES[] = {{"p25", 25}, {"p50", 50}, {"p75", 75}, {"p90", 90},
			   {"p95", 95}, {"p99", 99}, {"p999", 99.9}};

	add(l, ",\"%s\":{\"min\":%.3f", key, (double)h->min_ns / 1e3);
	for (size_t i = 0; i < sizeof(PERCENTILES) / sizeof(PERCENTILES[0]); i++)
		add(l, ",\"%s\":%.3f", PERCENTILES[i].key, pg_hist_percentile(h, PERCENTILES[i].p) / 1e3);
	add(l, ",\"max\":%.3f,\"mean\":%.3f,\"std\":%.3f,\"samples\":%" PRIu64 "}",
	    (double)h->max_ns / 1e3, h->ns.mean / 1e3, pg_moments_std(&h->ns) / 1e3, h->n);
}

/* A mix: the frames of each size sent in the measured window (run_count_sizes). */
static void add_tx_sizes(struct line *l, const struct size_mix *mix, const uint64_t *tx_sizes)
{
	add(l, ",\"tx_sizes\":[");
	for (unsigned i = 0; i < mix->count; i++)
		add(l, "%s{\"size\":%u,\"packets\":%" PRIu64 "}", i ? "," : "", mix->size[i],
		    tx_sizes[i]);
	add(l, "]");
}

/* One direction's delays, in us; null without comparable clocks or samples. */
static void add_delay(struct line *l, const char *key, const struct pg_hist *h, bool comparable)
{
	if (!comparable || h->n == 0) {
		add(l, ",\"%s\":null", key);
		return;
	}
	add_rtt(l, key, h);
}

/* The one-way figures (oneway.h), of every stream together: null where not measured. */
static void add_one_way(struct line *l, const struct pg_ow_sum *ow)
{
	const struct pg_ow_loss loss = ow->loss;
	bool counted = ow->counted, timed = ow->jitter_samples > 0;

	add(l, ",\"one_way\":{\"answered\":%" PRIu64 ",\"asked_back\":%" PRIu64, ow->answered,
	    ow->asked_back);
	if (counted)
		add(l, ",\"fwd_sent\":%" PRIu64 ",\"fwd_received\":%" PRIu64 ",\"ret_sent\":%" PRIu64
		       ",\"ret_received\":%" PRIu64 ",\"reflector_dropped\":%" PRIu64
		       ",\"reflector_overflow\":%" PRIu64,
		    loss.fwd_sent, loss.fwd_received, loss.ret_sent, loss.ret_received,
		    loss.reflector_dropped, loss.reflector_overflow);
	add_measured(l, "fwd_loss", counted, loss.fwd_loss);
	add_measured(l, "ret_loss", counted, loss.ret_loss);
	add_measured(l, "fwd_jitter_us", timed, ow->fwd_jitter_ns / 1e3);
	add_measured(l, "ret_jitter_us", timed, ow->ret_jitter_ns / 1e3);
	add(l, ",\"clocks_comparable\":%s", ow->answered && ow->clocks_comparable ? "true" : "false");
	add_u64(l, "negative_delays", ow->negative_delays);
	add_delay(l, "fwd_delay_us", &ow->fwd_delay, ow->clocks_comparable);
	add_delay(l, "ret_delay_us", &ow->ret_delay, ow->clocks_comparable);
	add(l, "}");
}

void report_summary(const struct run *r, bool interrupted)
{
	const struct send_options *opt = r->opt;
	const struct counters *m = &r->totals[PHASE_MEASURE], *w = &r->totals[PHASE_WARMUP];
	const struct pg_rx *rx = &r->rx.stats;
	double secs = (double)r->measured_ns / 1e9, tx_mbps = pg_mbps(m->bytes, secs);
	double requested = opt->rate_mbps > 0 ? opt->rate_mbps : 0;
	struct pg_intervals rx_iv;
	struct line l = {.len = 0};

	pg_rx_intervals(rx, r->interval_ns, &rx_iv);
	if (rx->any)
		report_interval_echoes(rx);
	add(&l, "{\"event\":\"summary\",\"status\":\"%s\",\"mode\":\"%s\"",
	    interrupted ? "interrupted" : "ok", SEND_MODE_NAMES[r->mode]);
	if (r->fallback)
		add(&l, ",\"fallback\":\"%s\"", r->fallback);
	add_u64(&l, "tx_packets", m->packets);
	add_u64(&l, "tx_bytes", m->bytes);
	add_u64(&l, "rx_packets", rx->packets);
	add_u64(&l, "rx_bytes", rx->bytes);
	add(&l, ",\"rx_measured\":%s", rx->any ? "true" : "false");
	add_measured(&l, "loss_ratio", rx->any, pg_rx_loss_ratio(rx, m->packets));
	add_u64(&l, "duplicates", rx->duplicates);
	add_u64(&l, "reordered", rx->reordered);
	add_num(&l, "tx_mbps", tx_mbps);
	add_series(&l, "tx", pg_intervals_result(&r->tx_iv), true);
	add_measured(&l, "rx_mbps", rx->any, pg_mbps(rx->bytes, secs));
	add_series(&l, "rx", pg_intervals_result(&rx_iv), rx->any);
	add_num(&l, "requested_mbps", requested);
	add_measured(&l, "rate_error", requested > 0, tx_mbps / (requested > 0 ? requested : 1) - 1);
	if (opt->max_rate_mbps > 0) {
		add_num(&l, "max_rate_mbps", opt->max_rate_mbps);
		add(&l, ",\"rate_capped\":%s", opt->rate_capped ? "true" : "false");
	}
	add_num(&l, "duration_s", secs);
	add_u64(&l, "stalls", m->stalls);
	add(&l, ",\"stall_max_ms\":%.3f", (double)m->late_max_ns / 1e6);
	add_u64(&l, "send_errors", m->retries + r->rx.refused);
	add_u64(&l, "send_retries", m->retries);
	add_u64(&l, "refused", r->rx.refused);
	add_u64(&l, "warmup_tx_packets", w->packets);
	add_u64(&l, "warmup_tx_bytes", w->bytes);
	add_u64(&l, "warmup_rx_packets", rx->warmup_packets);
	add_u64(&l, "foreign", r->rx.foreign);
	add(&l, ",\"drain_ms\":%.3f", (double)r->drain_ns / 1e6);
	add(&l, ",\"flows\":%u,\"size_min\":%u,\"size_max\":%u,\"batch\":%u,\"gso_segments\":%u",
	    opt->flows, opt->size_min, opt->size_max, r->batch_size, r->segs);
	add(&l, ",\"threads\":%u", opt->threads);
	if (opt->mix.count)
		add_tx_sizes(&l, &opt->mix, r->tx_sizes);
	if (opt->latency && rx->rtt.n > 0)
		add_rtt(&l, "rtt_us", &rx->rtt);
	if (opt->one_way && r->ow_sum) {
		add_one_way(&l, r->ow_sum);
	} else if (opt->one_way) {
		static struct pg_ow_sum own; /* two histograms: not on the stack */

		pg_ow_sum_init(&own);
		pg_ow_sum_add(&own, &r->rx.ow);
		add_one_way(&l, &own);
	}
	emit(&l);
}
