// SPDX-License-Identifier: MIT
/*
 * The send path of `pktgen-emit send`: one connected UDP socket per flow, sendmmsg batches
 * (UDP, UDP with GSO, or raw frames through AF_PACKET), user-space pacing by an
 * absolute-deadline token bucket, echoes read between batches (rx.c), one JSON report line
 * per interval and a summary at the end (send-report.c).
 */

#define _GNU_SOURCE

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "send-internal.h"
#include "send-threads.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define NS_PER_S 1000000000ull

/* Sleep until this long before a deadline, then spin: timer wake-ups on a busy VM are late by
 * tens of microseconds, the spin absorbs that. */
#define SLEEP_MARGIN_NS 50000ull
/* Echoes are read at least this often while sending, once any came back (kernel timestamps
 * date them, so this only bounds how long they wait in the socket); before the first one,
 * less often: a run without a reflector loses nothing to the checks. */
#define RX_POLL_NS 50000ull
#define RX_POLL_IDLE_NS 500000ull
/* Random payloads start at a random even offset within the first POOL_SPREAD bytes. */
#define POOL_SPREAD 65536u
/* Asked for so a batch of jumbo frames fits on a real NIC; the kernel caps it at wmem_max. */
#define SNDBUF_BYTES (4 << 20)
/* File descriptors needed besides the flows (stdio, epoll, raw socket and slack). */
#define FD_SPARE 16u

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

const char *const SEND_MODE_NAMES[] = {"udp", "udp-gso", "raw"};
const char *const PHASE_NAMES[] = {"warmup", "measure"};

enum stop_reason { STOP_END, STOP_CAP, STOP_SIGNAL };

static volatile sig_atomic_t g_signal;

/* Payload bytes after the header: the fixed pattern, or a random pool read at random offsets. */
static uint8_t g_body[PG_PAYLOAD_MAX + POOL_SPREAD];
/* Raw mode: checksum prefix sums of g_body (frame.h), so a body's sum is one subtraction. */
static uint64_t g_body_prefix[PG_PAYLOAD_MAX + POOL_SPREAD + 1];

/* ---- time ---- */

uint64_t now_ns(void)
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

/* ---- intervals and phases ---- */

void counters_add(struct counters *to, const struct counters *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
	to->stalls += c->stalls;
	to->retries += c->retries;
	if (c->late_max_ns > to->late_max_ns)
		to->late_max_ns = c->late_max_ns;
}

static void interval_open(struct run *r, uint64_t start_ns)
{
	memset(&r->cur, 0, sizeof(r->cur));
	r->cur.start_ns = start_ns;
	r->cur.phase = start_ns >= r->measure_ns ? PHASE_MEASURE : PHASE_WARMUP;
	if (r->cur.phase != PHASE_MEASURE)
		return;
	/* Echoes are counted by the interval their packet was sent in: mark where each starts. */
	if (!(r->measuring ? pg_rx_interval_next(&r->rx.stats, r->gen.seq, r->last_measure_len_ns)
			   : pg_rx_measure_start(&r->rx.stats, r->gen.seq)))
		pg_fail(PG_EXIT_FAILURE, "out of memory for the interval statistics");
	r->measuring = true;
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

	if (iv->phase == PHASE_MEASURE)
		r->last_measure_len_ns = len;
	/* An empty phase (--warmup 0) or a stop right on a boundary leaves nothing to report. */
	if (len == 0 && iv->c.packets == 0)
		return;
	counters_add(&r->totals[iv->phase], &iv->c);
	if (iv->phase == PHASE_MEASURE) {
		r->measured_ns += len;
		pg_intervals_add(&r->tx_iv, len, r->interval_ns, iv->c.packets, iv->c.bytes);
	}
	/* One of several threads: the team prints the interval once every thread has passed it. */
	if (r->team)
		team_interval(r->team, r->thread, iv, end_ns, r->rx.arrived_packets,
			      r->rx.arrived_bytes);
	else
		report_interval(r, iv, end_ns, r->rx.arrived_packets, r->rx.arrived_bytes);
	r->rx.arrived_packets = 0;
	r->rx.arrived_bytes = 0;
	memset(&r->rx.stats.iv_rtt, 0, sizeof(r->rx.stats.iv_rtt));
}

/* ---- pacing ---- */

/* Packets per send call: --batch messages (of `segs` packets each), or fewer at low rates. */
static unsigned effective_batch(const struct send_options *opt, unsigned segs)
{
	return pacer_batch_packets(opt->rate_mbps, opt->size_mean, opt->batch * segs);
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

static void generator_init(struct generator *g, const struct send_options *opt, int family,
			   bool raw, unsigned thread)
{
	g->tag = opt->tag;
	g->seq = 0;
	g->size_min = opt->size_min;
	g->size_max = opt->size_max;
	g->mix = opt->mix.count ? &opt->mix : NULL;
	g->overhead = family == AF_INET6 ? PG_IPV6_OVERHEAD : PG_IPV4_OVERHEAD;
	g->ow_bytes = opt->one_way ? PG_OW_BYTES : 0;
	g->stream = (uint16_t)(thread + 1);
	if (g->ow_bytes) {
		uint8_t ask[PG_OW_BYTES];

		pg_ow_write_ask(ask, g->stream);
		g->ow_sum = pg_csum_add(0, ask, sizeof(ask));
	}
	g->rng = (now_ns() ^ ((uint64_t)getpid() << 32) ^ ((uint64_t)thread << 48)) | 1; /* not 0 */
	/* The payload pool is shared by every thread: the first one's set-up writes it, before
	 * any thread sends. */
	if (thread > 0)
		return;
	if (opt->random_payload) {
		for (size_t i = 0; i < sizeof(g_body); i++)
			g_body[i] = (uint8_t)(rng_next(&g->rng) >> 56);
		g->spread = POOL_SPREAD;
	} else {
		for (size_t i = 0; i < sizeof(g_body); i++)
			g_body[i] = (uint8_t)('a' + i % 26);
		g->spread = 0;
	}
	if (raw)
		pg_csum_prefix(g_body, sizeof(g_body), g_body_prefix);
}

/* Gives every packet of a call its slot; with the fixed pattern the body is written here once. */
static void batch_init(struct batch *b, const struct generator *g, unsigned packets)
{
	/* The body after the one-way block, if any (the block is written once, like the body). */
	size_t body_max = g->size_max - g->overhead - PG_HEADER_BYTES - g->ow_bytes;

	b->iov_per_packet = g->spread ? 2 : 1;
	b->slot_bytes = (HEAD_BYTES + g->ow_bytes + (g->spread ? 0 : body_max) + 63) & ~(size_t)63;
	b->slots = malloc(b->slot_bytes * packets);
	if (!b->slots)
		pg_fail(PG_EXIT_FAILURE, "out of memory for %u packet buffers", packets);
	for (unsigned i = 0; i < packets; i++) {
		uint8_t *slot = b->slots + i * b->slot_bytes;

		if (g->ow_bytes)
			pg_ow_write_ask(slot + HEAD_BYTES, g->stream);
		if (!g->spread)
			memcpy(slot + HEAD_BYTES + g->ow_bytes, g_body, body_max);
	}
}

/* Builds n packets: sizes, headers (stamped at send time), iovecs; in raw mode also the
 * Ethernet/IPv4/UDP headers from port. */
static void batch_fill(struct run *r, unsigned n, uint16_t port)
{
	struct batch *b = &r->batch;
	struct generator *g = &r->gen;
	bool raw = r->mode == MODE_RAW;
	size_t skip = raw ? 0 : PG_RAW_HEAD; /* UDP mode: the kernel makes the headers */

	b->count = n;
	for (unsigned i = 0; i < n; i++) {
		/* A mix by packet number: a packet the socket did not take gets the same size again. */
		unsigned frame = g->mix				 ? size_mix_frame(g->mix, g->seq + i)
				 : g->size_min == g->size_max ? g->size_min
							      : rng_range(&g->rng, g->size_min, g->size_max);
		/* Even offsets keep the body word-aligned for the checksum prefix sums. */
		size_t offset = g->spread ? (rng_next(&g->rng) % g->spread) & ~(size_t)1 : 0;
		size_t body = frame - g->overhead - PG_HEADER_BYTES - g->ow_bytes;
		uint8_t *slot = b->slots + i * b->slot_bytes;
		struct iovec *iov = &b->iov[i * b->iov_per_packet];

		b->frame_bytes[i] = frame;
		pg_header_write(slot + PG_RAW_HEAD, g->tag, (uint32_t)(g->seq + i), 0);
		if (raw) {
			pg_raw_headers(&r->raw.tpl, slot, port, frame);
			b->body_sum[i] = g->ow_sum + g_body_prefix[offset + body] - g_body_prefix[offset];
		}
		if (g->spread) {
			iov[0] = (struct iovec){.iov_base = slot + skip,
						.iov_len = HEAD_BYTES - skip + g->ow_bytes};
			iov[1] = (struct iovec){.iov_base = g_body + offset, .iov_len = body};
		} else {
			iov[0] = (struct iovec){.iov_base = slot + skip,
						.iov_len = HEAD_BYTES - skip + g->ow_bytes + body};
		}
	}
}

/* Stamps packets [from, count) with now; raw frames get their UDP checksum after it. */
static void batch_stamp(struct run *r, unsigned from, uint64_t now)
{
	struct batch *b = &r->batch;

	for (unsigned i = from; i < b->count; i++) {
		uint8_t *slot = b->slots + i * b->slot_bytes;

		pg_header_stamp(slot + PG_RAW_HEAD, now);
		if (r->mode == MODE_RAW)
			pg_raw_udp_checksum(&r->raw.tpl, slot, b->body_sum[i]);
	}
}

/* Makes the messages for packets [from, count): `segs` packets each (one GSO send). Returns
 * the number of messages. No addresses: UDP sockets are connected, the raw one is bound. */
static unsigned batch_messages(struct run *r, unsigned from)
{
	struct batch *b = &r->batch;
	unsigned n = 0;

	for (unsigned i = from; i < b->count; i += r->segs, n++) {
		unsigned k = b->count - i < r->segs ? b->count - i : r->segs;
		struct msghdr *h = &b->msg[n].msg_hdr;

		*h = (struct msghdr){.msg_iov = &b->iov[i * b->iov_per_packet],
				     .msg_iovlen = k * b->iov_per_packet};
	}
	return n;
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
		     socklen_t len, uint16_t *port)
{
	bool v6 = dst->ss_family == AF_INET6;
	int fd = socket(dst->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	struct sockaddr_storage local;
	socklen_t local_len = sizeof(local);

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
	if (getsockname(fd, (struct sockaddr *)&local, &local_len))
		socket_fail(opt, "getsockname", errno);
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&local)->sin6_port
			 : ((struct sockaddr_in *)&local)->sin_port);
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
	for (f->count = 0; f->count < opt->flows; f->count++)
		f->fd[f->count] = flow_open(opt, dst, len, &f->port[f->count]);
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
static unsigned flows_next(struct flows *f)
{
	unsigned i = f->next;

	f->next = (f->next + 1) % f->count;
	return i;
}

/* Turns UDP segmentation offload on (gso_size > 0) or off (0) for every flow. */
static bool flows_gso(struct flows *f, int gso_size)
{
	for (unsigned i = 0; i < f->count; i++)
		if (setsockopt(f->fd[i], SOL_UDP, UDP_SEGMENT, &gso_size, sizeof(gso_size)))
			return false;
	return true;
}

/* ---- choosing the send path ---- */

/* GSO needs equal segments (one frame size) and a stamp per call, not per packet. */
static unsigned gso_segments(const struct send_options *opt, unsigned overhead)
{
	unsigned payload = opt->size_min - overhead, segs = GSO_BYTES_MAX / payload;

	if (!opt->gso || opt->size_min != opt->size_max || opt->latency)
		return 1;
	return segs < GSO_SEGS_MAX ? segs : GSO_SEGS_MAX;
}

static void choose_mode(struct run *r, const struct sockaddr_storage *dst)
{
	const struct send_options *opt = r->opt;
	unsigned overhead = dst->ss_family == AF_INET6 ? PG_IPV6_OVERHEAD : PG_IPV4_OVERHEAD;
	unsigned segs;

	r->mode = MODE_UDP;
	r->segs = 1;
	r->raw.fd = -1;
	if (opt->interface) {
		if (raw_open(&r->raw, opt, dst, r->flows.fd[0]) == 0) {
			r->mode = MODE_RAW;
			return;
		}
		r->fallback = "raw mode needs CAP_NET_RAW";
		pg_warn("--interface %s: raw mode needs CAP_NET_RAW: sending through UDP sockets "
			"instead", opt->interface);
	}
	segs = gso_segments(opt, overhead);
	if (segs > 1 && flows_gso(&r->flows, (int)(opt->size_min - overhead))) {
		r->mode = MODE_UDP_GSO;
		r->segs = segs;
	}
}

/* The route refused a GSO send (EIO: no checksum offload on the way out): go on without. */
static void gso_give_up(struct run *r)
{
	if (!flows_gso(&r->flows, 0))
		pg_fail(PG_EXIT_FAILURE, "setsockopt(UDP_SEGMENT, 0): %s", strerror(errno));
	pg_warn("UDP segmentation offload refused by the route (EIO): sending one datagram per "
		"packet");
	r->mode = MODE_UDP;
	r->segs = 1;
	r->fallback = "UDP GSO refused by the route (EIO)";
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
	const char *via = r->mode == MODE_RAW ? opt->interface : opt->dst;

	switch (err) {
	case EINTR: /* a signal: the caller sees the flag */
		return;
	case EAGAIN:  /* send buffer full (EWOULDBLOCK is the same value on Linux) */
	case ENOBUFS: /* device queue full, reported thanks to IP_RECVERR */
		r->cur.c.retries++;
		wait_writable(fd);
		return;
	case ECONNREFUSED:
		/* The pending error of an ICMP port unreachable for an earlier packet (counted in
		 * `refused` from the error queue): the packet at hand was not sent, send it again. */
		return;
	case EIO:
		if (r->mode == MODE_UDP_GSO) {
			gso_give_up(r);
			return;
		}
		pg_fail(PG_EXIT_FAILURE, "sendmmsg via %s: %s", via, strerror(err));
	case EPERM:
	case EACCES:
		pg_fail(PG_EXIT_NOPERM, "sendmmsg via %s: %s", via, strerror(err));
	case EMSGSIZE:
		pg_fail(PG_EXIT_UNSUPPORTED, "sendmmsg via %s: %s (--size %u-%u exceeds the MTU)", via,
			strerror(err), opt->size_min, opt->size_max);
	default:
		pg_fail(PG_EXIT_FAILURE, "sendmmsg via %s: %s", via, strerror(err));
	}
}

/* Sends the batch on fd; fewer than all packets go only when the run must stop meanwhile. */
static unsigned batch_send(struct run *r, int fd)
{
	struct batch *b = &r->batch;
	unsigned done = 0;

	while (done < b->count) {
		unsigned msgs = batch_messages(r, done);
		int rc;

		/* Stamped right before the call; with --latency a batch is one packet, so every
		 * packet carries the time of its own send call. */
		batch_stamp(r, done, now_ns());
		rc = sendmmsg(fd, b->msg, msgs, MSG_DONTWAIT);
		if (rc > 0) {
			done += (unsigned)rc * r->segs;
			if (done > b->count)
				done = b->count; /* the last message may hold fewer segments */
			continue;
		}
		/* rc == 0 (nothing sent, no error) does not happen; retry it like EAGAIN. */
		handle_send_error(r, fd, rc == 0 ? EAGAIN : errno);
		if (g_signal || now_ns() >= r->end_ns)
			break;
	}
	return done;
}

static void send_next_batch(struct run *r, uint64_t now)
{
	const struct send_options *opt = r->opt;
	unsigned n = r->batch_size, sent, flow = flows_next(&r->flows);
	uint64_t bytes = 0;
	double late;

	if (opt->max_packets && opt->max_packets - r->gen.seq < n)
		n = (unsigned)(opt->max_packets - r->gen.seq);
	if ((late = pacer_start(&r->pacer, now)) > 0) {
		r->cur.c.stalls++;
		if (late > (double)r->cur.c.late_max_ns)
			r->cur.c.late_max_ns = (uint64_t)late;
	}
	batch_fill(r, n, r->flows.port[flow]);
	sent = batch_send(r, r->mode == MODE_RAW ? r->raw.fd : r->flows.fd[flow]);
	for (unsigned i = 0; i < sent; i++)
		bytes += r->batch.frame_bytes[i];
	r->gen.seq += sent;
	r->cur.c.packets += sent;
	r->cur.c.bytes += bytes;
	pacer_consume(&r->pacer, bytes);
}

static bool cap_reached(const struct run *r)
{
	return r->opt->max_packets && r->gen.seq >= r->opt->max_packets;
}

/* Reads the echoes that arrived, every RX_POLL_NS (RX_POLL_IDLE_NS before the first). */
static void poll_echoes(struct run *r, uint64_t now)
{
	if (now - r->last_rx_poll_ns < (r->rx.stats.any ? RX_POLL_NS : RX_POLL_IDLE_NS))
		return;
	rx_poll(&r->rx, r->gen.seq, 0);
	r->last_rx_poll_ns = now;
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

		poll_echoes(r, now);
		/* Traffic whose deadline fell before the boundary, delayed by a stall, still goes
		 * out and counts in the interval its deadline belongs to: a stall at the end of a
		 * phase costs no bytes of it. */
		if (now >= boundary && !stopping && pacer_owes_before(&r->pacer, boundary, now)) {
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
		if (now < pacer_deadline(&r->pacer)) {
			uint64_t deadline = pacer_deadline(&r->pacer);

			wait_until(deadline < boundary ? deadline : boundary);
			continue;
		}
		send_next_batch(r, now);
	}
}

void run_setup(struct run *r, const struct send_options *opt, const struct sockaddr_storage *dst,
	       socklen_t len, unsigned thread)
{
	memset(r, 0, sizeof(*r));
	r->opt = opt;
	r->thread = thread;
	flows_open(&r->flows, opt, dst, len);
	choose_mode(r, dst);
	generator_init(&r->gen, opt, dst->ss_family, r->mode == MODE_RAW, thread);
	rx_open(&r->rx, r->flows.fd, r->flows.count, opt->tag, r->gen.overhead, opt->latency);
	if (opt->one_way)
		rx_one_way(&r->rx, opt->clock_declared ? 0 : pg_host_clock_id(), opt->clock_offset_ns);
	r->batch_size = effective_batch(opt, r->segs);
	batch_init(&r->batch, &r->gen, r->batch_size);
	r->interval_ns = (uint64_t)opt->interval_ms * 1000000ull;
}

void run_start(struct run *r, uint64_t start_ns)
{
	const struct send_options *opt = r->opt;

	r->start_ns = start_ns;
	r->measure_ns = r->start_ns + (uint64_t)llround(opt->warmup_s * 1e9);
	r->end_ns = r->measure_ns + (uint64_t)llround(opt->duration_s * 1e9);
	pacer_init(&r->pacer, opt->rate_mbps, r->batch_size * opt->size_mean, r->start_ns);
	interval_open(r, r->start_ns);
}

bool run_traffic(struct run *r)
{
	enum stop_reason stop = run_loop(r);

	if (r->measuring)
		pg_rx_measure_end(&r->rx.stats, r->gen.seq, r->last_measure_len_ns);
	/* Echoes of the last packets are still on their way back. */
	r->drain_ns = rx_drain(&r->rx, r->gen.seq, r->totals[PHASE_MEASURE].packets, &g_signal);
	/* Sizes go by packet number (size-mix.h), and the measured window follows the warm-up's. */
	for (unsigned i = 0; i < r->opt->mix.count; i++)
		r->tx_sizes[i] = size_mix_count(&r->opt->mix, i, r->totals[PHASE_WARMUP].packets,
						r->totals[PHASE_WARMUP].packets +
							r->totals[PHASE_MEASURE].packets);
	raw_close(&r->raw);
	flows_close(&r->flows);
	return stop == STOP_SIGNAL || g_signal;
}

void run_release(struct run *r)
{
	rx_close(&r->rx);
	free(r->batch.slots);
	r->batch.slots = NULL;
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
	bool interrupted;

	send_options_check_family(opt, dst.ss_family);
	install_signal_handlers();
	/* The default 50 us slack would make every sleep overshoot the spin margin. */
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL))
		pg_warn("prctl(PR_SET_TIMERSLACK): %s: pacing may be less precise", strerror(errno));
	/* Every thread's flows, plus an epoll descriptor each. */
	ensure_fd_limit(opt->flows + opt->threads);
	if (opt->threads > 1)
		return team_run(opt, &dst, dst_len) ? PG_EXIT_INTERRUPTED : PG_EXIT_OK;
	run_setup(&run, opt, &dst, dst_len, 0);
	run_start(&run, now_ns());
	interrupted = run_traffic(&run);
	report_summary(&run, interrupted);
	run_release(&run);
	return interrupted ? PG_EXIT_INTERRUPTED : PG_EXIT_OK;
}
