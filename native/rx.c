// SPDX-License-Identifier: MIT
/* The echo path of `send` (see rx.h). */

#define _GNU_SOURCE

#include "rx.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "pktgen-emit.h"

#define NS_PER_S 1000000000ull
#define RCVBUF_BYTES (4 << 20)
/* Batches read from one socket per poll at most: the sender must get its turn. */
#define ROUNDS_PER_POLL 8
#define DRAIN_MIN_NS 200000000ull
#define DRAIN_MAX_NS 2000000000ull
#define RESYNC_NS NS_PER_S

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		pg_fail(PG_EXIT_FAILURE, "clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Kernel receive stamps are CLOCK_REALTIME, packet stamps CLOCK_MONOTONIC: measure the offset
 * between the two (it changes only when someone steps the clock; re-measured every second). */
static void sync_clocks(struct rx_path *rx)
{
	uint64_t before = clock_ns(CLOCK_MONOTONIC), real = clock_ns(CLOCK_REALTIME);
	uint64_t after = clock_ns(CLOCK_MONOTONIC);

	rx->real_minus_mono = (int64_t)real - (int64_t)(before + (after - before) / 2);
	rx->synced_ns = after;
}

static void set_int(int fd, int level, int name, int value, const char *what)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)))
		pg_fail(PG_EXIT_FAILURE, "setsockopt(%s): %s", what, strerror(errno));
}

void rx_open(struct rx_path *rx, const int *fds, unsigned flows, uint32_t tag, unsigned overhead,
	     bool timestamps)
{
	int buf = RCVBUF_BYTES;

	memset(rx, 0, sizeof(*rx));
	rx->fds = fds;
	rx->flows = flows;
	rx->tag = tag;
	rx->overhead = overhead;
	rx->timestamps = timestamps;
	if (!pg_rx_init(&rx->stats, flows))
		pg_fail(PG_EXIT_FAILURE, "out of memory for the echo statistics");
	rx->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rx->epfd < 0)
		pg_fail(PG_EXIT_FAILURE, "epoll_create1: %s", strerror(errno));
	for (unsigned i = 0; i < flows; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};

		/* Echoes of a fast run must wait in the socket until the loop reads them: ask for
		 * more than the default (SO_RCVBUFFORCE where allowed, else up to rmem_max). */
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
			set_int(fds[i], SOL_SOCKET, SO_RCVBUF, buf, "SO_RCVBUF");
		if (timestamps)
			set_int(fds[i], SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
		if (epoll_ctl(rx->epfd, EPOLL_CTL_ADD, fds[i], &ev))
			pg_fail(PG_EXIT_FAILURE, "epoll_ctl: %s", strerror(errno));
	}
	for (unsigned i = 0; i < RX_BATCH; i++) {
		rx->iov[i] = (struct iovec){.iov_base = rx->buf[i], .iov_len = RX_SNAP};
		rx->msg[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msg[i].msg_hdr.msg_iovlen = 1;
	}
	sync_clocks(rx);
}

void rx_one_way(struct rx_path *rx, uint32_t clock_id, int64_t clock_offset_ns)
{
	rx->one_way = true;
	rx->clock_id = clock_id;
	rx->clock_offset_ns = clock_offset_ns;
	pg_ow_init(&rx->ow, rx->timestamps);
}

void rx_close(struct rx_path *rx)
{
	if (rx->epfd >= 0)
		close(rx->epfd);
	rx->epfd = -1;
	pg_rx_free(&rx->stats);
}

/* Counts the ICMP errors queued on fd (IP_RECVERR) and clears the pending socket error. */
static void read_errors(struct rx_path *rx, int fd)
{
	char data[64], control[512];
	int err;
	socklen_t len = sizeof(err);

	for (int i = 0; i < 256; i++) {
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				     .msg_controllen = sizeof(control)};

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);

			if (((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			     (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
			    ee->ee_errno == ECONNREFUSED)
				rx->refused++;
		}
	}
	/* The same ICMP error also sits in sk_err; left there it would keep EPOLLERR raised. */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

/* The kernel's receive time of a datagram, on CLOCK_MONOTONIC; 0 when it has none. */
static uint64_t receive_time(const struct rx_path *rx, struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)((int64_t)ts.tv_sec * (int64_t)NS_PER_S + ts.tv_nsec -
					  rx->real_minus_mono);
		}
	}
	return 0;
}

static uint64_t be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* The one-way answer in an echo of a measured packet: tx_ns and rx_ns are its send and receive
 * times on CLOCK_MONOTONIC, timed when both are precise (--latency and a kernel stamp). */
static void take_one_way(struct rx_path *rx, const uint8_t *block, uint64_t seq, bool timed,
			 uint64_t tx_ns, uint64_t rx_ns)
{
	struct pg_ow_block b;
	/* To the reflector's clock: CLOCK_REALTIME, less the declared offset. */
	int64_t to_real = rx->real_minus_mono - rx->clock_offset_ns;

	pg_ow_read(block, &b);
	if (b.marker == PG_OW_ASK) {
		rx->ow.asked_back++; /* an old reflector: it echoed the ask unchanged */
		return;
	}
	if (b.marker != PG_OW_ANSWER)
		return;
	pg_ow_record(&rx->ow, &(struct pg_ow_echo){.seq = seq,
						   .block = &b,
						   .timed = timed,
						   .t1_ns = (int64_t)tx_ns + to_real,
						   .t4_ns = (int64_t)rx_ns + to_real,
						   .comparable = b.clock_id == rx->clock_id});
}

/* Decodes one datagram and counts it; user_now stands in for a missing kernel stamp. */
static void take(struct rx_path *rx, unsigned flow, struct mmsghdr *m, uint64_t sent,
		 uint64_t user_now)
{
	const uint8_t *p = m->msg_hdr.msg_iov->iov_base;
	unsigned len = m->msg_len;
	uint32_t magic, age;
	struct pg_echo e = {.flow = flow};
	uint64_t tx_ns = 0, rx_ns = 0;
	bool kernel_stamp = false;

	if (len < PG_HEADER_BYTES) {
		rx->foreign++;
		return;
	}
	magic = (uint32_t)be(p, 2);
	/* A reflector answers with PG_ECHO_MAGIC; a plain echo service returns PG_MAGIC. */
	if ((magic != PG_ECHO_MAGIC && magic != PG_MAGIC) || be(p + 2, 4) != rx->tag) {
		rx->foreign++;
		return;
	}
	/* The 32-bit seq of a packet sent at most 2^32 packets ago, extended to 64 bits. */
	age = (uint32_t)sent - (uint32_t)be(p + 6, 4);
	if (age == 0 || age > sent) {
		rx->foreign++; /* a seq not sent yet */
		return;
	}
	e.seq = sent - age;
	e.frame_bytes = len + rx->overhead;
	if (rx->timestamps) {
		tx_ns = be(p + 10, 8);
		rx_ns = receive_time(rx, &m->msg_hdr);
		kernel_stamp = rx_ns != 0;
		if (rx_ns == 0)
			rx_ns = user_now;
		e.has_rtt = true;
		e.rtt_ns = rx_ns > tx_ns ? rx_ns - tx_ns : 0;
	}
	rx->arrived_packets++;
	rx->arrived_bytes += e.frame_bytes;
	if (pg_rx_record(&rx->stats, &e) && rx->one_way && len >= PG_HEADER_BYTES + PG_OW_BYTES)
		take_one_way(rx, p + PG_HEADER_BYTES, e.seq, kernel_stamp, tx_ns, rx_ns);
}

/* Reads the echoes queued on one flow socket (a bounded number of batches). */
static void read_flow(struct rx_path *rx, unsigned flow, uint64_t sent)
{
	int fd = rx->fds[flow];

	for (int round = 0; round < ROUNDS_PER_POLL; round++) {
		int n;
		uint64_t now;

		for (unsigned i = 0; i < RX_BATCH; i++) {
			rx->msg[i].msg_hdr.msg_control = rx->control[i];
			rx->msg[i].msg_hdr.msg_controllen = sizeof(rx->control[i]);
			rx->msg[i].msg_hdr.msg_flags = 0;
		}
		/* MSG_TRUNC: msg_len is the datagram's real length, though only RX_SNAP is read. */
		n = recvmmsg(fd, rx->msg, RX_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n <= 0) {
			/* ECONNREFUSED here is the sk_err of an ICMP error: read_errors counts it. */
			if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
				pg_fail(PG_EXIT_FAILURE, "recvmmsg: %s", strerror(errno));
			return;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		for (int i = 0; i < n; i++)
			take(rx, flow, &rx->msg[i], sent, now);
		if ((unsigned)n < RX_BATCH)
			return;
	}
}

void rx_poll(struct rx_path *rx, uint64_t sent, int timeout_ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(rx->epfd, ev, 64, timeout_ms);

	if (n < 0) {
		if (errno == EINTR)
			return;
		pg_fail(PG_EXIT_FAILURE, "epoll_wait: %s", strerror(errno));
	}
	if (rx->timestamps && n > 0 && clock_ns(CLOCK_MONOTONIC) - rx->synced_ns > RESYNC_NS)
		sync_clocks(rx);
	for (int i = 0; i < n; i++) {
		unsigned flow = ev[i].data.u32;

		if (ev[i].events & EPOLLERR)
			read_errors(rx, rx->fds[flow]);
		if (ev[i].events & EPOLLIN)
			read_flow(rx, flow, sent);
	}
}

uint64_t rx_drain(struct rx_path *rx, uint64_t sent, uint64_t measured_tx,
		  volatile sig_atomic_t *stop)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), now = start;

	while (!*stop) {
		uint64_t limit = DRAIN_MIN_NS;

		if (rx->stats.rtt.n && 4 * rx->stats.rtt.max_ns > limit)
			limit = 4 * rx->stats.rtt.max_ns;
		if (limit > DRAIN_MAX_NS)
			limit = DRAIN_MAX_NS;
		if (now - start >= limit || (rx->stats.any && rx->stats.packets >= measured_tx))
			break;
		rx_poll(rx, sent, (int)((limit - (now - start)) / 1000000) + 1);
		now = clock_ns(CLOCK_MONOTONIC);
	}
	return now - start;
}
