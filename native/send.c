// SPDX-License-Identifier: MIT
/*
 * The send path of `pktgen-emit send`: one connected UDP socket per flow, sendmmsg batches,
 * user-space pacing by an absolute-deadline token bucket, one JSON report line per interval
 * and a summary at the end.
 *
 * The sockets are connected to --dst, so a later receive path (echoes from a reflector) can
 * read them directly: the kernel then delivers only the peer's datagrams, per flow.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "pktgen-emit.h"
#include "send.h"

#define NS_PER_S 1000000000ull

/* Sleep until this long before a deadline, then spin: timer wake-ups on a busy VM are late by
 * tens of microseconds, the spin absorbs that. */
#define SLEEP_MARGIN_NS 50000ull
/* A batch that starts more than this after its deadline counts as (the start of) a stall. */
#define STALL_NS 1e6
/* Bucket depth: after a late start, at most this much missed traffic is sent back to back to
 * catch up; beyond it the credit is forgotten. On a shared 2-core VM under load the whole CPU
 * stalls for 2-70 ms at times (every task on it at once), and a 20 ms bucket lost up to 2.5 %
 * of a 3 s run at 100 Mbit/s. 100 ms absorbs those stalls; the price is a burst of up to 100 ms
 * of traffic (1.25 MB at 100 Mbit/s) after one, sent at the sender's full speed. */
#define BUCKET_DEPTH_NS 100e6
/* At low rates a batch holds at most about this much traffic, so traffic stays smooth above
 * 1 ms (a full batch of 32 x 1500 B at 1 Mbit/s would be a 0.4 s burst). */
#define BURST_NS 1e6
/* Random payloads start at a random offset within the first POOL_SPREAD bytes of the pool. */
#define POOL_SPREAD 65536u
/* Asked for so a batch of jumbo frames fits on a real NIC; the kernel caps it at wmem_max. */
#define SNDBUF_BYTES (4 << 20)
/* File descriptors needed besides the flows (stdio and slack). */
#define FD_SPARE 16u

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

enum phase { PHASE_WARMUP, PHASE_MEASURE };
static const char *const PHASE_NAMES[] = {"warmup", "measure"};

enum stop_reason { STOP_END, STOP_CAP, STOP_SIGNAL };

struct counters {
	uint64_t packets, bytes; /* bytes = frame bytes including FCS */
	uint64_t stalls, retries, refused;
};

/* Running mean and variance (Welford): no cancellation however long the run. */
struct moments {
	unsigned n;
	double mean, m2;
};

struct series {
	struct moments mbps, mpps, wire_mbps;
};

struct interval {
	enum phase phase;
	uint64_t start_ns;
	struct counters c;
};

struct pacer {
	bool enabled;
	double ns_per_byte;
	uint64_t origin_ns; /* run start: deadlines relative to it stay exact to far below 1 ns */
	double next_ns;     /* deadline of the next batch, after origin_ns */
	double depth_ns;    /* most credit kept when a batch starts late */
	bool stalled;
};

struct generator {
	uint32_t tag, seq;
	unsigned size_min, size_max, overhead;
	size_t spread; /* 0: every payload is the fixed pattern */
	uint64_t rng;
};

struct batch {
	unsigned count;
	uint32_t frame_bytes[SEND_BATCH_MAX];
	uint8_t header[SEND_BATCH_MAX][PG_HEADER_BYTES];
	struct iovec iov[SEND_BATCH_MAX][2];
	struct mmsghdr msg[SEND_BATCH_MAX];
};

struct flows {
	int fd[SEND_FLOWS_MAX];
	unsigned count, next;
};

struct run {
	const struct send_options *opt;
	struct flows flows;
	struct generator gen;
	struct batch batch;
	struct pacer pacer;
	unsigned batch_size;
	uint64_t start_ns, measure_ns, end_ns, interval_ns;
	uint64_t sent; /* every packet of the run, for --max-packets */
	struct interval cur;
	struct counters totals[2]; /* per phase */
	uint64_t measured_ns;      /* measured time actually run */
	struct series full, partial;
};

static volatile sig_atomic_t g_signal;

/* Payload bytes after the header: the fixed pattern, or a random pool read at random offsets. */
static uint8_t g_body[PG_PAYLOAD_MAX + POOL_SPREAD];

/* ---- time ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		pg_fail(PG_EXIT_FAILURE, "clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Returns at deadline or on a signal: sleeps to SLEEP_MARGIN_NS before it, spins the rest. */
static void wait_until(uint64_t deadline)
{
	if (now_ns() + SLEEP_MARGIN_NS < deadline) {
		uint64_t wake = deadline - SLEEP_MARGIN_NS;
		struct timespec ts = {.tv_sec = (time_t)(wake / NS_PER_S),
				      .tv_nsec = (long)(wake % NS_PER_S)};
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		if (rc == EINTR)
			return;
		if (rc)
			pg_fail(PG_EXIT_FAILURE, "clock_nanosleep: %s", strerror(rc));
	}
	while (!g_signal && now_ns() < deadline)
		cpu_relax();
}

/* ---- statistics ---- */

static void moments_add(struct moments *m, double x)
{
	double d = x - m->mean;

	m->n++;
	m->mean += d / m->n;
	m->m2 += d * (x - m->mean);
}

/* Sample standard deviation; 0 below two samples. */
static double moments_std(const struct moments *m)
{
	return m->n > 1 ? sqrt(m->m2 / (m->n - 1)) : 0;
}

static void counters_add(struct counters *to, const struct counters *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
	to->stalls += c->stalls;
	to->retries += c->retries;
	to->refused += c->refused;
}

static double mbps(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0;
}

static double mpps(uint64_t packets, double secs)
{
	return secs > 0 ? (double)packets / secs / 1e6 : 0;
}

/* ---- output ---- */

static void __attribute__((format(printf, 1, 2))) emit_line(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprintf(fmt, ap);
	va_end(ap);
	/* Flushed per line: the node daemon reads the reports while the run goes on. */
	if (rc < 0 || fflush(stdout))
		pg_fail(PG_EXIT_FAILURE, "cannot write the report to stdout: %s", strerror(errno));
}

static void emit_interval(const struct run *r, const struct interval *iv, uint64_t end_ns)
{
	double secs = (double)(end_ns - iv->start_ns) / 1e9;

	emit_line("{\"event\":\"interval\",\"phase\":\"%s\",\"t\":%.3f,\"tx_packets\":%" PRIu64
		  ",\"tx_bytes\":%" PRIu64 ",\"tx_mbps\":%.6f,\"tx_mpps\":%.6f,\"stalls\":%" PRIu64
		  "}\n",
		  PHASE_NAMES[iv->phase], (double)(end_ns - r->start_ns) / 1e9, iv->c.packets,
		  iv->c.bytes, mbps(iv->c.bytes, secs), mpps(iv->c.packets, secs), iv->c.stalls);
}

static void emit_summary(const struct run *r, bool interrupted)
{
	const struct counters *m = &r->totals[PHASE_MEASURE], *w = &r->totals[PHASE_WARMUP];
	/* Mean and std over the full intervals; a partial last one only when there is no full one. */
	const struct series *s = r->full.mbps.n ? &r->full : &r->partial;
	double secs = (double)r->measured_ns / 1e9;

	emit_line("{\"event\":\"summary\",\"status\":\"%s\",\"mode\":\"udp\",\"tx_packets\":%" PRIu64
		  ",\"tx_bytes\":%" PRIu64 ",\"rx_packets\":0,\"rx_bytes\":0,\"rx_measured\":false,"
		  "\"loss_ratio\":null,\"tx_mbps\":%.6f,\"tx_mbps_mean\":%.6f,\"tx_mbps_std\":%.6f,"
		  "\"tx_mpps_mean\":%.6f,\"tx_mpps_std\":%.6f,\"tx_wire_mbps_mean\":%.6f,"
		  "\"rx_mbps_mean\":null,\"rx_mpps_mean\":null,\"requested_mbps\":%.6f,"
		  "\"duration_s\":%.6f,\"stalls\":%" PRIu64 ",\"send_errors\":%" PRIu64
		  ",\"send_retries\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"warmup_tx_packets\":%" PRIu64
		  ",\"warmup_tx_bytes\":%" PRIu64 ",\"flows\":%u,\"size_min\":%u,\"size_max\":%u,"
		  "\"batch\":%u}\n",
		  interrupted ? "interrupted" : "ok", m->packets, m->bytes, mbps(m->bytes, secs),
		  s->mbps.mean, moments_std(&s->mbps), s->mpps.mean, moments_std(&s->mpps),
		  s->wire_mbps.mean, r->opt->rate_mbps > 0 ? r->opt->rate_mbps : 0, secs, m->stalls,
		  m->retries + m->refused, m->retries, m->refused, w->packets, w->bytes,
		  r->opt->flows, r->opt->size_min, r->opt->size_max, r->batch_size);
}

/* ---- intervals and phases ---- */

static void interval_open(struct run *r, uint64_t start_ns)
{
	memset(&r->cur, 0, sizeof(r->cur));
	r->cur.start_ns = start_ns;
	r->cur.phase = start_ns >= r->measure_ns ? PHASE_MEASURE : PHASE_WARMUP;
}

/* End of the current interval: interval_ns after its start, or the end of its phase. */
static uint64_t interval_boundary(const struct run *r)
{
	uint64_t phase_end = r->cur.phase == PHASE_WARMUP ? r->measure_ns : r->end_ns;
	uint64_t end = r->cur.start_ns + r->interval_ns;

	return end < phase_end ? end : phase_end;
}

static void interval_close(struct run *r, uint64_t end_ns)
{
	const struct interval *iv = &r->cur;
	uint64_t len = end_ns - iv->start_ns;
	double secs = (double)len / 1e9;
	struct series *s = len == r->interval_ns ? &r->full : &r->partial;

	/* An empty phase (--warmup 0) or a stop right on a boundary leaves nothing to report. */
	if (len == 0 && iv->c.packets == 0)
		return;
	counters_add(&r->totals[iv->phase], &iv->c);
	if (iv->phase == PHASE_MEASURE && len > 0) {
		r->measured_ns += len;
		moments_add(&s->mbps, mbps(iv->c.bytes, secs));
		moments_add(&s->mpps, mpps(iv->c.packets, secs));
		moments_add(&s->wire_mbps, mbps(iv->c.bytes + iv->c.packets * PG_WIRE_EXTRA, secs));
	}
	emit_interval(r, iv, end_ns);
}

/* ---- pacing ---- */

/* Batch size: --batch, or fewer packets at low rates so a batch is about BURST_NS of traffic. */
static unsigned effective_batch(const struct send_options *opt)
{
	double mean_frame = (opt->size_min + opt->size_max) / 2.0;
	double n;

	if (opt->rate_mbps <= 0)
		return opt->batch;
	n = floor(opt->rate_mbps * 1e6 / 8 * (BURST_NS / 1e9) / mean_frame);
	if (n < 1)
		return 1;
	return n < opt->batch ? (unsigned)n : opt->batch;
}

static void pacer_init(struct pacer *p, const struct send_options *opt, unsigned batch,
		       uint64_t start_ns)
{
	double batch_ns;

	p->enabled = opt->rate_mbps > 0;
	if (!p->enabled)
		return;
	p->ns_per_byte = 8e3 / opt->rate_mbps; /* 8 bits per byte, rate * 1e6 bit/s, 1e9 ns/s */
	p->origin_ns = start_ns;
	p->next_ns = 0;
	batch_ns = batch * (opt->size_min + opt->size_max) / 2.0 * p->ns_per_byte;
	p->depth_ns = BUCKET_DEPTH_NS > 2 * batch_ns ? BUCKET_DEPTH_NS : 2 * batch_ns;
}

/*
 * Called when a batch starts at now (>= its deadline). Drops the credit beyond one bucket
 * depth, so a long stall is not followed by an unbounded burst. Returns true when this batch
 * starts a stall: consecutive late batches while catching up count as one.
 */
static bool pacer_start(struct pacer *p, uint64_t now)
{
	double elapsed = (double)(now - p->origin_ns), late = elapsed - p->next_ns;
	bool was_stalled = p->stalled;

	if (late > p->depth_ns)
		p->next_ns = elapsed - p->depth_ns;
	p->stalled = late > STALL_NS;
	return p->stalled && !was_stalled;
}

/* The deadline moves on by the time the bytes just sent take at the target rate. */
static void pacer_consume(struct pacer *p, uint64_t bytes)
{
	p->next_ns += (double)bytes * p->ns_per_byte;
}

/* CLOCK_MONOTONIC time at which the next batch is due. */
static uint64_t pacer_deadline(const struct pacer *p)
{
	return p->origin_ns + (uint64_t)ceil(p->next_ns);
}

/* ---- packets ---- */

/* xorshift64*: fast, and plenty for packet sizes and payload offsets. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi] by multiply-shift (bias below 2^-22 for these ranges). */
static unsigned rng_range(uint64_t *state, unsigned lo, unsigned hi)
{
	return lo + (unsigned)(((rng_next(state) >> 32) * (uint64_t)(hi - lo + 1)) >> 32);
}

static void generator_init(struct generator *g, const struct send_options *opt, int family)
{
	g->tag = opt->tag;
	g->seq = 0;
	g->size_min = opt->size_min;
	g->size_max = opt->size_max;
	g->overhead = family == AF_INET6 ? PG_IPV6_OVERHEAD : PG_IPV4_OVERHEAD;
	g->rng = (now_ns() ^ ((uint64_t)getpid() << 32)) | 1; /* xorshift state must not be 0 */
	if (opt->random_payload) {
		for (size_t i = 0; i < sizeof(g_body); i++)
			g_body[i] = (uint8_t)(rng_next(&g->rng) >> 56);
		g->spread = POOL_SPREAD;
	} else {
		for (size_t i = 0; i < sizeof(g_body); i++)
			g_body[i] = (uint8_t)('a' + i % 26);
		g->spread = 0;
	}
}

/* Builds n packets: sizes, headers (stamped at send time), payload pointers into g_body. */
static void batch_fill(struct batch *b, struct generator *g, unsigned n)
{
	b->count = n;
	for (unsigned i = 0; i < n; i++) {
		unsigned frame = rng_range(&g->rng, g->size_min, g->size_max);
		size_t offset = g->spread ? rng_next(&g->rng) % g->spread : 0;

		b->frame_bytes[i] = frame;
		pg_header_write(b->header[i], g->tag, g->seq + i, 0);
		b->iov[i][0] = (struct iovec){.iov_base = b->header[i], .iov_len = PG_HEADER_BYTES};
		b->iov[i][1] = (struct iovec){.iov_base = g_body + offset,
					      .iov_len = frame - g->overhead - PG_HEADER_BYTES};
		memset(&b->msg[i], 0, sizeof(b->msg[i]));
		b->msg[i].msg_hdr.msg_iov = b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 2;
	}
}

static void batch_stamp(struct batch *b, unsigned from, uint64_t now)
{
	for (unsigned i = from; i < b->count; i++)
		pg_header_stamp(b->header[i], now);
}

/* ---- sockets ---- */

static noreturn void socket_fail(const struct send_options *opt, const char *what, int err)
{
	int code = PG_EXIT_FAILURE;

	if (err == EPERM || err == EACCES)
		code = PG_EXIT_NOPERM;
	else if (err == EAFNOSUPPORT)
		code = PG_EXIT_UNSUPPORTED;
	pg_fail(code, "%s (--dst %s): %s", what, opt->dst, strerror(err));
}

static socklen_t resolve_dst(const struct send_options *opt, struct sockaddr_storage *out)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_DGRAM,
				 .ai_protocol = IPPROTO_UDP,
				 .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST};
	struct addrinfo *res;
	socklen_t len;
	int rc;

	/* Literal addresses first: they need no name service, which a static binary can only reach
	 * through the host's NSS libraries. */
	rc = getaddrinfo(opt->dst_host, opt->dst_port, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(opt->dst_host, opt->dst_port, &hints, &res);
	}
	if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_FAMILY)
		pg_fail(PG_EXIT_USAGE, "--dst %s: cannot resolve '%s': %s", opt->dst, opt->dst_host,
			gai_strerror(rc));
	if (rc)
		pg_fail(PG_EXIT_FAILURE, "--dst %s: cannot resolve '%s': %s", opt->dst,
			opt->dst_host, rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	len = res->ai_addrlen;
	memcpy(out, res->ai_addr, len);
	freeaddrinfo(res);
	return len;
}

static void set_option(const struct send_options *opt, int fd, int level, int name, int value,
		       const char *what)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)))
		socket_fail(opt, what, errno);
}

/* One flow: a UDP socket connected to dst, which binds it to its own ephemeral source port. */
static int flow_open(const struct send_options *opt, const struct sockaddr_storage *dst,
		     socklen_t len)
{
	bool v6 = dst->ss_family == AF_INET6;
	int fd = socket(dst->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);

	if (fd < 0)
		socket_fail(opt, "socket", errno);
	set_option(opt, fd, SOL_SOCKET, SO_SNDBUF, SNDBUF_BYTES, "setsockopt(SO_SNDBUF)");
	/* Never fragment: fragments of a 9000-byte "frame" are not the frame size asked for. */
	if (v6)
		set_option(opt, fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO,
			   "setsockopt(IPV6_MTU_DISCOVER)");
	else
		set_option(opt, fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO,
			   "setsockopt(IP_MTU_DISCOVER)");
	/* Without RECVERR, UDP hides qdisc drops (ENOBUFS) and they would count as sent. */
	if (v6)
		set_option(opt, fd, IPPROTO_IPV6, IPV6_RECVERR, 1, "setsockopt(IPV6_RECVERR)");
	else
		set_option(opt, fd, IPPROTO_IP, IP_RECVERR, 1, "setsockopt(IP_RECVERR)");
	if (connect(fd, (const struct sockaddr *)dst, len))
		socket_fail(opt, "connect", errno);
	return fd;
}

/* Rejects, before any traffic, a frame that the route's MTU could only carry fragmented. */
static void check_path_mtu(const struct send_options *opt, int fd, int family)
{
	int mtu;
	socklen_t len = sizeof(mtu);
	unsigned need = opt->size_max - PG_L2_BYTES;
	int rc = family == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len)
				    : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len);

	if (rc)
		socket_fail(opt, "getsockopt(IP_MTU)", errno);
	if (mtu > 0 && need > (unsigned)mtu)
		pg_fail(PG_EXIT_UNSUPPORTED,
			"--size %u: a %u-byte frame needs an MTU of %u, the route to %s has %d",
			opt->size_max, opt->size_max, need, opt->dst, mtu);
}

/* N flows need N descriptors: raise the soft limit when the hard one allows it. */
static void ensure_fd_limit(unsigned flows)
{
	struct rlimit rl;
	rlim_t need = flows + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		pg_fail(PG_EXIT_FAILURE, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		pg_fail(PG_EXIT_UNSUPPORTED,
			"--flows %u: needs %llu open files, the hard limit (ulimit -Hn) is %llu", flows,
			(unsigned long long)need, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		pg_fail(PG_EXIT_FAILURE, "setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
}

static void flows_open(struct flows *f, const struct send_options *opt,
		       const struct sockaddr_storage *dst, socklen_t len)
{
	ensure_fd_limit(opt->flows);
	for (f->count = 0; f->count < opt->flows; f->count++)
		f->fd[f->count] = flow_open(opt, dst, len);
	check_path_mtu(opt, f->fd[0], dst->ss_family);
	f->next = 0;
}

static void flows_close(struct flows *f)
{
	for (unsigned i = 0; i < f->count; i++)
		if (close(f->fd[i]))
			pg_warn("close: %s", strerror(errno));
	f->count = 0;
}

/* Round robin per batch: over a run each flow carries the same share, within one batch. */
static int flows_next(struct flows *f)
{
	int fd = f->fd[f->next];

	f->next = (f->next + 1) % f->count;
	return fd;
}

/* ---- the send loop ---- */

static void wait_writable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};

	/* 1 ms at most: the loop must keep seeing signals and the end of the run. */
	if (poll(&pfd, 1, 1) < 0 && errno != EINTR)
		pg_fail(PG_EXIT_FAILURE, "poll: %s", strerror(errno));
}

/* Decides what a failed sendmmsg means: retry (counted), or exit with the matching code. */
static void handle_send_error(struct run *r, int fd, int err)
{
	const struct send_options *opt = r->opt;

	switch (err) {
	case EINTR: /* a signal: the caller sees the flag */
		return;
	case EAGAIN:  /* send buffer full (EWOULDBLOCK is the same value on Linux) */
	case ENOBUFS: /* device queue full, reported thanks to IP_RECVERR */
		r->cur.c.retries++;
		wait_writable(fd);
		return;
	case ECONNREFUSED:
		/* ICMP port unreachable for an earlier packet (nothing listens, yet): the packet at
		 * hand was not sent and is simply sent again. */
		r->cur.c.refused++;
		return;
	case EPERM:
	case EACCES:
		pg_fail(PG_EXIT_NOPERM, "sendmmsg to %s: %s", opt->dst, strerror(err));
	case EMSGSIZE:
		pg_fail(PG_EXIT_UNSUPPORTED, "sendmmsg to %s: %s (--size %u-%u exceeds the path MTU)",
			opt->dst, strerror(err), opt->size_min, opt->size_max);
	default:
		pg_fail(PG_EXIT_FAILURE, "sendmmsg to %s: %s", opt->dst, strerror(err));
	}
}

/* Sends the batch on fd; fewer than all packets go only when the run must stop meanwhile. */
static unsigned batch_send(struct run *r, int fd)
{
	struct batch *b = &r->batch;
	unsigned done = 0;

	while (done < b->count) {
		int rc;

		/* Stamped right before the call; with --latency a batch is one packet, so every
		 * packet carries the time of its own send call. */
		batch_stamp(b, done, now_ns());
		rc = sendmmsg(fd, b->msg + done, b->count - done, MSG_DONTWAIT);
		if (rc > 0) {
			done += (unsigned)rc;
			continue;
		}
		/* rc == 0 (nothing sent, no error) does not happen for UDP; retry it like EAGAIN. */
		handle_send_error(r, fd, rc == 0 ? EAGAIN : errno);
		if (g_signal || now_ns() >= r->end_ns)
			break;
	}
	return done;
}

static void send_next_batch(struct run *r, uint64_t now)
{
	const struct send_options *opt = r->opt;
	unsigned n = r->batch_size, sent;
	uint64_t bytes = 0;

	if (opt->max_packets && opt->max_packets - r->sent < n)
		n = (unsigned)(opt->max_packets - r->sent);
	if (r->pacer.enabled && pacer_start(&r->pacer, now))
		r->cur.c.stalls++;
	batch_fill(&r->batch, &r->gen, n);
	sent = batch_send(r, flows_next(&r->flows));
	for (unsigned i = 0; i < sent; i++)
		bytes += r->batch.frame_bytes[i];
	r->gen.seq += sent;
	r->sent += sent;
	r->cur.c.packets += sent;
	r->cur.c.bytes += bytes;
	if (r->pacer.enabled)
		pacer_consume(&r->pacer, bytes);
}

static bool cap_reached(const struct run *r)
{
	return r->opt->max_packets && r->sent >= r->opt->max_packets;
}

/*
 * True while traffic whose deadline fell before boundary is still unsent, because the process
 * was stalled when the boundary passed. That traffic still goes out, and counts in the interval
 * its deadline belongs to: a stall at the end of a phase costs no bytes of it. Bounded: the
 * pacer never owes more than one bucket depth.
 */
static bool owes_before(const struct run *r, uint64_t boundary, uint64_t now)
{
	return r->pacer.enabled && pacer_deadline(&r->pacer) < boundary &&
	       (double)(now - boundary) < r->pacer.depth_ns;
}

/*
 * One loop for both phases: report intervals on time, send when the pacer's deadline has come,
 * otherwise wait for whichever comes first. Bounded by end_ns (plus at most one bucket depth of
 * owed traffic), --max-packets and signals.
 */
static enum stop_reason run_loop(struct run *r)
{
	for (;;) {
		uint64_t now = now_ns(), boundary = interval_boundary(r);
		bool stopping = g_signal || cap_reached(r);

		if (now >= boundary && !stopping && owes_before(r, boundary, now)) {
			send_next_batch(r, now);
			continue;
		}
		if (now >= boundary) {
			interval_close(r, boundary);
			if (boundary >= r->end_ns)
				return STOP_END;
			interval_open(r, boundary);
			continue;
		}
		if (stopping) {
			interval_close(r, now);
			return g_signal ? STOP_SIGNAL : STOP_CAP;
		}
		if (r->pacer.enabled && now < pacer_deadline(&r->pacer)) {
			uint64_t deadline = pacer_deadline(&r->pacer);

			wait_until(deadline < boundary ? deadline : boundary);
			continue;
		}
		send_next_batch(r, now);
	}
}

static void run_init(struct run *r, const struct send_options *opt,
		     const struct sockaddr_storage *dst, socklen_t len)
{
	memset(r, 0, sizeof(*r));
	r->opt = opt;
	flows_open(&r->flows, opt, dst, len);
	generator_init(&r->gen, opt, dst->ss_family);
	r->batch_size = effective_batch(opt);
	r->interval_ns = (uint64_t)opt->interval_ms * 1000000ull;
	r->start_ns = now_ns();
	r->measure_ns = r->start_ns + (uint64_t)llround(opt->warmup_s * 1e9);
	r->end_ns = r->measure_ns + (uint64_t)llround(opt->duration_s * 1e9);
	pacer_init(&r->pacer, opt, r->batch_size, r->start_ns);
	interval_open(r, r->start_ns);
}

static void on_signal(int signo)
{
	g_signal = signo;
}

static void install_signal_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	/* No SA_RESTART: a blocked call returns EINTR and the loop sees the flag at once. */
	if (sigemptyset(&sa.sa_mask) || sigaction(SIGINT, &sa, NULL) ||
	    sigaction(SIGTERM, &sa, NULL))
		pg_fail(PG_EXIT_FAILURE, "sigaction: %s", strerror(errno));
	/* A closed stdout must give EPIPE and a message, not a silent death. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		pg_fail(PG_EXIT_FAILURE, "sigaction: %s", strerror(errno));
}

int send_run(const struct send_options *opt)
{
	/* The run holds the batch buffers and 1024 descriptors: keep it off the stack. */
	static struct run run;
	struct sockaddr_storage dst;
	socklen_t dst_len = resolve_dst(opt, &dst);
	enum stop_reason stop;

	send_options_check_family(opt, dst.ss_family);
	install_signal_handlers();
	/* The default 50 us slack would make every sleep overshoot the spin margin. */
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL))
		pg_warn("prctl(PR_SET_TIMERSLACK): %s: pacing may be less precise", strerror(errno));
	run_init(&run, opt, &dst, dst_len);
	stop = run_loop(&run);
	flows_close(&run.flows);
	emit_summary(&run, stop == STOP_SIGNAL);
	return stop == STOP_SIGNAL ? PG_EXIT_INTERRUPTED : PG_EXIT_OK;
}
