// SPDX-License-Identifier: MIT
/* `send --threads N` (see send-threads.h). */

#define _GNU_SOURCE

#include "send-threads.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stats-merge.h"

/* An interval some thread has closed and not every thread has passed yet. */
struct pending {
	uint64_t start_ns, end_ns;
	enum phase phase;
	struct counters c;
	uint64_t rx_packets, rx_bytes;
	struct pg_hist rtt;  /* RTTs of the echoes that arrived in it, every thread's */
};

struct team {
	pthread_mutex_t lock;
	unsigned n;
	struct run *runs;           /* one per thread */
	struct send_options *opts;  /* each thread's share */
	pthread_t *ids;
	bool *finished, *posted, *interrupted;
	uint64_t *last_start;       /* start of the last interval each thread closed */
	struct pending *pending;    /* by start time */
	size_t count, cap;
	struct run *merged;         /* what the reports read: the team as one run */
};

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		pg_fail(PG_EXIT_FAILURE, "out of memory for %zu sending threads", n);
	return p;
}

/* Thread i's share: flows and --max-packets split as evenly as whole numbers allow (the first
 * ones get one more), the rate divided. */
static void share(struct send_options *o, const struct send_options *opt, unsigned i)
{
	unsigned n = opt->threads;

	*o = *opt;
	o->threads = 1;
	o->flows = opt->flows / n + (i < opt->flows % n);
	if (opt->max_packets)
		o->max_packets = opt->max_packets / n + (i < opt->max_packets % n);
	/* <= 0 is "as fast as possible": every thread unpaced. */
	if (opt->rate_mbps > 0)
		o->rate_mbps = opt->rate_mbps / n;
	if (opt->max_rate_mbps > 0)
		o->max_rate_mbps = opt->max_rate_mbps / n;
}

/* Interval start is passed by every thread (closed it or skipped it, or finished). */
static bool passed(const struct team *t, uint64_t start)
{
	for (unsigned i = 0; i < t->n; i++)
		if (!t->finished[i] && !(t->posted[i] && t->last_start[i] >= start))
			return false;
	return true;
}

/* Prints the oldest intervals every thread has passed, in order; called with the lock held. */
static void flush(struct team *t)
{
	while (t->count && passed(t, t->pending[0].start_ns)) {
		const struct pending *p = &t->pending[0];
		struct interval iv = {.phase = p->phase, .start_ns = p->start_ns, .c = p->c};
		uint64_t len = p->end_ns - p->start_ns;

		if (p->phase == PHASE_MEASURE) {
			t->merged->measured_ns += len;
			pg_intervals_add(&t->merged->tx_iv, len, t->merged->interval_ns, p->c.packets,
					 p->c.bytes);
		}
		/* report_interval reads the interval's RTTs where one thread keeps them. */
		t->merged->rx.stats.iv_rtt = p->rtt;
		report_interval(t->merged, &iv, p->end_ns, p->rx_packets, p->rx_bytes);
		memmove(t->pending, t->pending + 1, --t->count * sizeof(*t->pending));
	}
}

/* The pending entry of the interval starting at start_ns, made when it is the first post. */
static struct pending *pending_at(struct team *t, uint64_t start_ns, enum phase phase)
{
	size_t i = 0;

	while (i < t->count && t->pending[i].start_ns < start_ns)
		i++;
	if (i < t->count && t->pending[i].start_ns == start_ns)
		return &t->pending[i];
	if (t->count == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct pending *p = realloc(t->pending, cap * sizeof(*p));

		if (!p)
			pg_fail(PG_EXIT_FAILURE, "out of memory for the interval reports");
		t->pending = p;
		t->cap = cap;
	}
	memmove(t->pending + i + 1, t->pending + i, (t->count - i) * sizeof(*t->pending));
	t->count++;
	t->pending[i] = (struct pending){.start_ns = start_ns, .end_ns = start_ns, .phase = phase};
	return &t->pending[i];
}

static void lock(struct team *t)
{
	int rc = pthread_mutex_lock(&t->lock);

	if (rc)
		pg_fail(PG_EXIT_FAILURE, "pthread_mutex_lock: %s", strerror(rc));
}

static void unlock(struct team *t)
{
	int rc = pthread_mutex_unlock(&t->lock);

	if (rc)
		pg_fail(PG_EXIT_FAILURE, "pthread_mutex_unlock: %s", strerror(rc));
}

void team_interval(struct team *t, unsigned thread, const struct interval *iv, uint64_t end_ns,
		   uint64_t rx_packets, uint64_t rx_bytes)
{
	struct pending *p;

	lock(t);
	p = pending_at(t, iv->start_ns, iv->phase);
	counters_add(&p->c, &iv->c);
	/* Threads share the boundaries; only a stop (signal, cap) ends one thread's interval
	 * earlier than another's. */
	if (end_ns > p->end_ns)
		p->end_ns = end_ns;
	p->rx_packets += rx_packets;
	p->rx_bytes += rx_bytes;
	pg_hist_merge(&p->rtt, &t->runs[thread].rx.stats.iv_rtt);
	t->posted[thread] = true;
	t->last_start[thread] = iv->start_ns;
	flush(t);
	unlock(t);
}

static void *worker(void *arg)
{
	struct run *r = arg;
	struct team *t = r->team;
	bool interrupted = run_traffic(r);

	lock(t);
	t->interrupted[r->thread] = interrupted;
	t->finished[r->thread] = true;
	flush(t);
	unlock(t);
	return NULL;
}

/* The team's totals as one run, for the summary. */
static void merge_runs(struct team *t, const struct send_options *opt)
{
	struct run *m = t->merged;

	m->opt = opt;
	m->mode = t->runs[0].mode;
	m->batch_size = t->runs[0].batch_size;
	m->segs = t->runs[0].segs;
	if (!pg_rx_init(&m->rx.stats, 1))
		pg_fail(PG_EXIT_FAILURE, "out of memory for the echo statistics");
	m->ow_sum = zalloc(1, sizeof(*m->ow_sum));
	pg_ow_sum_init(m->ow_sum);
	for (unsigned i = 0; i < t->n; i++) {
		const struct run *r = &t->runs[i];

		/* A thread that fell back (GSO refused mid-run) makes the team's path its own. */
		if (r->fallback && !m->fallback) {
			m->fallback = r->fallback;
			m->mode = r->mode;
			m->segs = r->segs;
		}
		counters_add(&m->totals[PHASE_WARMUP], &r->totals[PHASE_WARMUP]);
		counters_add(&m->totals[PHASE_MEASURE], &r->totals[PHASE_MEASURE]);
		if (!pg_rx_merge(&m->rx.stats, &r->rx.stats))
			pg_fail(PG_EXIT_FAILURE, "out of memory for the echo statistics");
		if (opt->one_way)
			pg_ow_sum_add(m->ow_sum, &r->rx.ow);
		m->rx.refused += r->rx.refused;
		for (unsigned k = 0; k < opt->mix.count; k++)
			m->tx_sizes[k] += r->tx_sizes[k];
		m->rx.foreign += r->rx.foreign;
		if (r->drain_ns > m->drain_ns)
			m->drain_ns = r->drain_ns;
	}
}

static void team_free(struct team *t)
{
	for (unsigned i = 0; i < t->n; i++)
		run_release(&t->runs[i]);
	pg_rx_free(&t->merged->rx.stats);
	free(t->merged->ow_sum);
	pthread_mutex_destroy(&t->lock);
	free(t->runs);
	free(t->opts);
	free(t->ids);
	free(t->finished);
	free(t->posted);
	free(t->interrupted);
	free(t->last_start);
	free(t->pending);
	free(t->merged);
}

bool team_run(const struct send_options *opt, const struct sockaddr_storage *dst, socklen_t len)
{
	struct team t = {.n = opt->threads};
	bool interrupted = false;
	uint64_t start;
	int rc;

	if ((rc = pthread_mutex_init(&t.lock, NULL)))
		pg_fail(PG_EXIT_FAILURE, "pthread_mutex_init: %s", strerror(rc));
	t.runs = zalloc(t.n, sizeof(*t.runs));
	t.opts = zalloc(t.n, sizeof(*t.opts));
	t.ids = zalloc(t.n, sizeof(*t.ids));
	t.finished = zalloc(t.n, sizeof(bool));
	t.posted = zalloc(t.n, sizeof(bool));
	t.interrupted = zalloc(t.n, sizeof(bool));
	t.last_start = zalloc(t.n, sizeof(uint64_t));
	t.merged = zalloc(1, sizeof(*t.merged));
	/* Every socket is open before any thread sends, and all share one clock start, so the
	 * threads' intervals have the same boundaries. */
	for (unsigned i = 0; i < t.n; i++) {
		share(&t.opts[i], opt, i);
		run_setup(&t.runs[i], &t.opts[i], dst, len, i);
		t.runs[i].team = &t;
	}
	start = now_ns();
	t.merged->opt = opt;
	t.merged->start_ns = start;
	t.merged->interval_ns = t.runs[0].interval_ns;
	for (unsigned i = 0; i < t.n; i++)
		run_start(&t.runs[i], start);
	for (unsigned i = 0; i < t.n; i++)
		if ((rc = pthread_create(&t.ids[i], NULL, worker, &t.runs[i])))
			pg_fail(PG_EXIT_FAILURE, "cannot start sending thread %u of %u: %s", i + 1, t.n,
				strerror(rc));
	for (unsigned i = 0; i < t.n; i++)
		if ((rc = pthread_join(t.ids[i], NULL)))
			pg_fail(PG_EXIT_FAILURE, "pthread_join: %s", strerror(rc));
	for (unsigned i = 0; i < t.n; i++)
		interrupted = interrupted || t.interrupted[i];
	merge_runs(&t, opt);
	report_summary(t.merged, interrupted);
	team_free(&t);
	return interrupted;
}
