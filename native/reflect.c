// SPDX-License-Identifier: MIT
/*
 * `pktgen-emit reflect`: echoes test packets back to their sender, so that `send` measures
 * round-trip loss and latency. Only datagrams with the test header's magic are echoed, only
 * to senders in --allow, from the address they were sent to (IP_PKTINFO), with the magic
 * changed to PG_ECHO_MAGIC so that no reflector ever echoes an echo. A packet that asks for
 * one-way figures (oneway.h) gets its block answered: receive and send times, and this
 * reflector's counts of packets received and echoes dropped for the packet's tag.
 */

#define _GNU_SOURCE

#include "reflect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "oneway.h"
#include "pktgen-emit.h"

#define BATCH 64u
#define BUF_BYTES 9216u /* the largest frame's payload, rounded up */
#define SOCKBUF_BYTES (4 << 20)
#define ALLOW_MAX 64u
#define NS_PER_S 1000000000ull
/* IP(V6)_PKTINFO, SCM_TIMESTAMPNS and SO_RXQ_OVFL together */
#define CONTROL_BYTES 160u

struct reflect_options {
	const char *bind;
	struct pg_hostport where;
	struct pg_cidr allow[ALLOW_MAX];
	size_t allow_count;
	uint64_t drop_every;
	unsigned spin_us;
	bool clock_declared;
	int64_t clock_offset_ns; /* --clock-offset-ns: this clock minus the reference clock */
};

struct reflect_counts {
	uint64_t received, echoed, invalid, not_allowed, test_drops, send_errors, answered;
};

struct reflector {
	int fd;
	struct reflect_options opt;
	struct reflect_counts n;
	uint64_t valid; /* test packets from allowed senders, for --drop-every */
	struct pg_ow_tags tags;
	struct pg_ow_tag *last_tag; /* the tag of the previous packet: most packets share it */
	uint32_t clock_id;          /* oneway.h: the boot id hash, or 0 with --clock-offset-ns */
	uint32_t overflow;          /* SO_RXQ_OVFL: datagrams the socket dropped so far */
	uint64_t batch_rx_ns;       /* user-space receive time of the batch: when a stamp is missing */
	uint64_t batch_mono_ns;     /* the same on CLOCK_MONOTONIC: when tags were last seen */
	bool stamping;              /* kernel receive stamps and drop counts are on (the first ask) */
	uint8_t buf[BATCH][BUF_BYTES];
	struct sockaddr_storage peer[BATCH];
	char control[BATCH][CONTROL_BYTES];
	char reply_control[BATCH][64];
	uint64_t reply_key[BATCH];  /* the tag and stream of each reply, to count a failed send */
	bool reply_counted[BATCH];  /* whether the table keeps counts for that key */
	uint8_t *reply_ow[BATCH];   /* each reply's answered one-way block, or NULL */
	struct iovec iov[BATCH], reply_iov[BATCH];
	struct mmsghdr in[BATCH], out[BATCH];
};

static volatile sig_atomic_t g_stop;

static const char *const LOOPBACK[] = {"127.0.0.0/8", "::1/128"};

/* ---- options ---- */

static void print_help(void)
{
	printf("Usage: pktgen-emit reflect --bind HOST:PORT [options]\n"
	       "\n"
	       "Echoes pktgen test packets back to their sender (with the magic 0x%04x instead of\n"
	       "0x%04x), drops anything else. Prints one JSON line when listening and a summary on\n"
	       "SIGINT/SIGTERM.\n"
	       "\n"
	       "  --bind HOST:PORT    address to listen on: 127.0.0.1:1730, [::]:1730; port 0 lets\n"
	       "                      the kernel pick one (the listening line tells which)\n"
	       "  --allow CIDR        senders that get echoes, repeated or comma-separated\n"
	       "                      (default: 127.0.0.0/8,::1/128)\n"
	       "  --drop-every K      test option: drop one test packet in K instead of echoing it\n"
	       "  --spin-us N         after a batch, keep polling for N us before sleeping: lower\n"
	       "                      latency at the cost of a busy core while traffic flows (0)\n"
	       "  --clock-offset-ns N this host's CLOCK_REALTIME minus a reference clock (NTP/PTP),\n"
	       "                      declared by the operator: one-way stamps are corrected by it\n"
	       "                      and marked comparable with senders that declared theirs\n"
	       "  -h, --help          print this help\n"
	       "\n"
	       "Exit codes: 0 stopped by SIGINT/SIGTERM, 1 runtime failure, 2 usage error, 3 not\n"
	       "permitted, 4 unsupported (address in use or not available here).\n",
	       PG_ECHO_MAGIC, PG_MAGIC);
}

static void add_allow(struct reflect_options *opt, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		pg_fail(PG_EXIT_FAILURE, "out of memory");
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *why;

		if (opt->allow_count == ALLOW_MAX)
			pg_fail(PG_EXIT_USAGE, "--allow %s: at most %u ranges", list, ALLOW_MAX);
		why = pg_parse_cidr(item, &opt->allow[opt->allow_count]);
		if (why)
			pg_fail(PG_EXIT_USAGE, "--allow %s: %s", item, why);
		opt->allow_count++;
	}
	free(copy);
}

static uint64_t parse_count(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno == ERANGE || v > max)
		pg_fail(PG_EXIT_USAGE, "%s %s: expected a whole number within 0..%" PRIu64, opt, s, max);
	return v;
}

/* A declared clock offset: whole ns, within +-PG_OW_OFFSET_MAX_NS. */
static int64_t parse_offset(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v > PG_OW_OFFSET_MAX_NS ||
	    v < -PG_OW_OFFSET_MAX_NS)
		pg_fail(PG_EXIT_USAGE, "--clock-offset-ns %s: expected whole nanoseconds within %lld..%lld",
			s, -PG_OW_OFFSET_MAX_NS, PG_OW_OFFSET_MAX_NS);
	return v;
}

static void parse_options(int argc, char **argv, struct reflect_options *opt)
{
	enum { OPT_BIND = 256, OPT_ALLOW, OPT_DROP_EVERY, OPT_SPIN_US, OPT_CLOCK_OFFSET };
	static const struct option LONG_OPTIONS[] = {
		{"bind", required_argument, NULL, OPT_BIND},
		{"allow", required_argument, NULL, OPT_ALLOW},
		{"drop-every", required_argument, NULL, OPT_DROP_EVERY},
		{"spin-us", required_argument, NULL, OPT_SPIN_US},
		{"clock-offset-ns", required_argument, NULL, OPT_CLOCK_OFFSET},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int code;

	memset(opt, 0, sizeof(*opt));
	opterr = 0;
	while ((code = getopt_long(argc, argv, "+:h", LONG_OPTIONS, NULL)) != -1) {
		const char *why;

		switch (code) {
		case 'h':
			print_help();
			exit(PG_EXIT_OK);
		case OPT_BIND:
			why = pg_parse_hostport(optarg, &opt->where, true);
			if (why)
				pg_fail(PG_EXIT_USAGE, "--bind %s: %s", optarg, why);
			opt->bind = optarg;
			break;
		case OPT_ALLOW:
			add_allow(opt, optarg);
			break;
		case OPT_DROP_EVERY:
			opt->drop_every = parse_count("--drop-every", optarg, UINT32_MAX);
			break;
		case OPT_SPIN_US:
			opt->spin_us = (unsigned)parse_count("--spin-us", optarg, 1000000);
			break;
		case OPT_CLOCK_OFFSET:
			opt->clock_offset_ns = parse_offset(optarg);
			opt->clock_declared = true;
			break;
		case ':':
			pg_fail(PG_EXIT_USAGE, "%s: missing value", argv[optind - 1]);
		default:
			pg_fail(PG_EXIT_USAGE, "unknown option '%s' for reflect (see reflect --help)",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		pg_fail(PG_EXIT_USAGE, "unexpected argument '%s' (see reflect --help)", argv[optind]);
	if (!opt->bind)
		pg_fail(PG_EXIT_USAGE, "--bind: required: HOST:PORT, e.g. 127.0.0.1:1730");
	if (opt->allow_count == 0)
		for (size_t i = 0; i < sizeof(LOOPBACK) / sizeof(LOOPBACK[0]); i++)
			add_allow(opt, LOOPBACK[i]);
}

/* ---- socket ---- */

static void set_int(int fd, int level, int name, int value, const char *what)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)))
		pg_fail(PG_EXIT_FAILURE, "setsockopt(%s): %s", what, strerror(errno));
}

static int open_socket(const struct reflect_options *opt, char *bound, size_t bound_len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM,
				 .ai_protocol = IPPROTO_UDP,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *res;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	int rc = getaddrinfo(opt->where.host, opt->where.port, &hints, &res), fd, buf = SOCKBUF_BYTES;

	if (rc)
		pg_fail(PG_EXIT_USAGE, "--bind %s: expected a literal IP address and a port (%s)",
			opt->bind, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		pg_fail(errno == EAFNOSUPPORT ? PG_EXIT_UNSUPPORTED : PG_EXIT_FAILURE, "socket: %s",
			strerror(errno));
	/* Replies leave from the address each packet was sent to (a wildcard bind has many). */
	set_int(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
	if (res->ai_family == AF_INET6)
		set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		set_int(fd, SOL_SOCKET, SO_RCVBUF, buf, "SO_RCVBUF");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		set_int(fd, SOL_SOCKET, SO_SNDBUF, buf, "SO_SNDBUF");
	if (bind(fd, res->ai_addr, res->ai_addrlen)) {
		int err = errno;

		pg_fail(err == EADDRINUSE || err == EADDRNOTAVAIL ? PG_EXIT_UNSUPPORTED
		       : err == EACCES				   ? PG_EXIT_NOPERM
								   : PG_EXIT_FAILURE,
			"--bind %s: %s", opt->bind, strerror(err));
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&local, &len))
		pg_fail(PG_EXIT_FAILURE, "getsockname: %s", strerror(errno));
	pg_format_sockaddr((struct sockaddr *)&local, bound, bound_len);
	return fd;
}

/* ---- echoing ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Control message for a reply: leave from the address the request was sent to. */
static size_t reply_source(struct msghdr *in, char *out, size_t room)
{
	struct msghdr m = {.msg_control = out, .msg_controllen = room};
	struct cmsghdr *o = CMSG_FIRSTHDR(&m);

	memset(out, 0, room);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo got, reply = {0};

			memcpy(&got, CMSG_DATA(c), sizeof(got));
			reply.ipi_spec_dst = got.ipi_addr;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(reply));
			memcpy(CMSG_DATA(o), &reply, sizeof(reply));
			return CMSG_SPACE(sizeof(reply));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo got;

			memcpy(&got, CMSG_DATA(c), sizeof(got));
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(got));
			memcpy(CMSG_DATA(o), &got, sizeof(got));
			return CMSG_SPACE(sizeof(got));
		}
	}
	return 0;
}

static uint64_t real_ns(const struct reflector *rf)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec - (uint64_t)rf->opt.clock_offset_ns;
}

/* The kernel's receive time of a datagram (CLOCK_REALTIME, corrected by the declared offset),
 * the batch's own time when it has none. */
static uint64_t receive_time(struct reflector *rf, struct msghdr *h)
{
	uint64_t ns = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec -
			     (uint64_t)rf->opt.clock_offset_ns;
		}
	}
	return ns ? ns : rf->batch_rx_ns;
}

/* SO_RXQ_OVFL rides on received datagrams: the socket's drop count when it was queued. */
static void note_overflow(struct reflector *rf, struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&rf->overflow, CMSG_DATA(c), sizeof(rf->overflow));
}

/* Turns on what one-way answers need: the kernel's receive time of each datagram and the count
 * of datagrams the socket dropped. Only at the first ask, so that a reflector nobody asks for
 * one-way figures costs what it always did; until then answers carry the batch's own time. */
static void start_stamping(struct reflector *rf)
{
	set_int(rf->fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
	set_int(rf->fd, SOL_SOCKET, SO_RXQ_OVFL, 1, "SO_RXQ_OVFL");
	rf->stamping = true;
}

/* The counts of the tag in a test header and the stream of its ask (0 without one); NULL when
 * the table has no room for them (oneway.h). */
static struct pg_ow_tag *tag_of(struct reflector *rf, const uint8_t *p, uint16_t stream)
{
	uint32_t tag = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
	uint64_t key = pg_ow_key(tag, stream);
	struct pg_ow_tag *found;

	if (rf->last_tag && rf->last_tag->key == key && rf->last_tag->used) {
		rf->last_tag->seen_ns = rf->batch_mono_ns;
		return rf->last_tag;
	}
	found = pg_ow_tag_find(&rf->tags, key, rf->batch_mono_ns);
	if (found)
		rf->last_tag = found;
	return found;
}

/* Decides about datagram i of a batch; true when it is to be echoed (and made into an echo).
 * ow is set to the one-way block answered in it, key to its tag and stream, counted to whether
 * the table keeps counts for them. */
static bool accept_one(struct reflector *rf, unsigned i, uint8_t **ow, uint64_t *key, bool *counted)
{
	struct mmsghdr *m = &rf->in[i];
	uint8_t *p = rf->buf[i];
	struct pg_ow_tag *tag;
	struct pg_ow_block b = {0};

	rf->n.received++;
	note_overflow(rf, &m->msg_hdr);
	if (m->msg_len < PG_HEADER_BYTES || (m->msg_hdr.msg_flags & MSG_TRUNC) ||
	    p[0] != (uint8_t)(PG_MAGIC >> 8) || p[1] != (uint8_t)PG_MAGIC) {
		rf->n.invalid++;
		return false;
	}
	if (!pg_cidr_match(rf->opt.allow, rf->opt.allow_count, (struct sockaddr *)&rf->peer[i])) {
		rf->n.not_allowed++;
		return false;
	}
	if (m->msg_len >= PG_HEADER_BYTES + PG_OW_BYTES)
		pg_ow_read(p + PG_HEADER_BYTES, &b);
	/* Counts are read in answers only: a packet that does not ask takes no room in the table. */
	tag = b.marker == PG_OW_ASK ? tag_of(rf, p, b.stream) : NULL;
	if (tag)
		tag->received++;
	if (rf->opt.drop_every && ++rf->valid % rf->opt.drop_every == 0) {
		rf->n.test_drops++;
		if (tag)
			tag->dropped++;
		return false;
	}
	p[0] = (uint8_t)(PG_ECHO_MAGIC >> 8);
	p[1] = (uint8_t)PG_ECHO_MAGIC;
	*ow = NULL;
	if (b.marker == PG_OW_ASK) {
		b = (struct pg_ow_block){.marker = PG_OW_ANSWER,
					 .clock_id = rf->clock_id,
					 .rx_ns = receive_time(rf, &m->msg_hdr),
					 .received = tag ? tag->received : 0,
					 .dropped = tag ? tag->dropped : 0,
					 .overflow = rf->overflow,
					 .flags = (rf->opt.clock_declared ? PG_OW_FLAG_DECLARED : 0) |
						  (tag ? 0 : PG_OW_FLAG_UNCOUNTED),
					 .stream = b.stream};
		pg_ow_write(p + PG_HEADER_BYTES, &b);
		*ow = p + PG_HEADER_BYTES;
		rf->n.answered++;
		if (!rf->stamping)
			start_stamping(rf);
	}
	*key = tag ? tag->key : pg_ow_key(0, 0);
	*counted = tag != NULL;
	return true;
}

static void send_replies(struct reflector *rf, unsigned count)
{
	unsigned done = 0;
	int retried = 0;
	uint64_t now = real_ns(rf);

	/* The send time of the echoes: right before the call (a batch shares one stamp). */
	for (unsigned i = 0; i < count; i++)
		if (rf->reply_ow[i])
			for (int b = 0; b < 8; b++)
				rf->reply_ow[i][16 + b] = (uint8_t)(now >> (56 - 8 * b));
	while (done < count) {
		int rc = sendmmsg(rf->fd, rf->out + done, count - done, MSG_DONTWAIT);

		if (rc > 0) {
			rf->n.echoed += (uint64_t)rc;
			done += (unsigned)rc;
			continue;
		}
		if (rc < 0 && (errno == EAGAIN || errno == ENOBUFS) && !retried++) {
			struct pollfd pfd = {.fd = rf->fd, .events = POLLOUT};

			poll(&pfd, 1, 1);
			continue;
		}
		/* This reply cannot go (an unreachable sender, a full queue): drop it, count it
		 * against its tag (later answers carry the count), go on. */
		rf->n.send_errors++;
		if (rf->reply_counted[done]) {
			struct pg_ow_tag *tag = pg_ow_tag_find(&rf->tags, rf->reply_key[done],
								rf->batch_mono_ns);

			if (tag)
				tag->dropped++;
		}
		done++;
	}
}

/* Receives one batch (blocking unless dontwait) and echoes what qualifies; returns how many
 * datagrams came, 0 when none (or on a signal). */
static unsigned reflect_batch(struct reflector *rf, bool dontwait)
{
	unsigned replies = 0;
	int n;

	for (unsigned i = 0; i < BATCH; i++) {
		struct msghdr *h = &rf->in[i].msg_hdr;

		*h = (struct msghdr){.msg_name = &rf->peer[i], .msg_namelen = sizeof(rf->peer[i]),
				     .msg_iov = &rf->iov[i], .msg_iovlen = 1,
				     .msg_control = rf->control[i],
				     .msg_controllen = sizeof(rf->control[i])};
	}
	n = recvmmsg(rf->fd, rf->in, BATCH, dontwait ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		pg_fail(PG_EXIT_FAILURE, "recvmmsg: %s", strerror(errno));
	}
	rf->batch_rx_ns = real_ns(rf);
	rf->batch_mono_ns = now_ns();
	for (unsigned i = 0; i < (unsigned)n; i++) {
		struct msghdr *o = &rf->out[replies].msg_hdr;

		if (!accept_one(rf, i, &rf->reply_ow[replies], &rf->reply_key[replies],
				&rf->reply_counted[replies]))
			continue;
		*o = (struct msghdr){.msg_name = &rf->peer[i],
				     .msg_namelen = rf->in[i].msg_hdr.msg_namelen,
				     .msg_iov = &rf->reply_iov[replies],
				     .msg_iovlen = 1,
				     .msg_control = rf->reply_control[replies]};
		rf->reply_iov[replies] =
			(struct iovec){.iov_base = rf->buf[i], .iov_len = rf->in[i].msg_len};
		o->msg_controllen = reply_source(&rf->in[i].msg_hdr, rf->reply_control[replies],
						 sizeof(rf->reply_control[replies]));
		if (o->msg_controllen == 0)
			o->msg_control = NULL;
		replies++;
	}
	if (replies)
		send_replies(rf, replies);
	return (unsigned)n;
}

/* Serves until a signal: blocks for the next datagram, then with --spin-us keeps polling
 * without blocking while datagrams keep coming. */
static void serve(struct reflector *rf)
{
	while (!g_stop) {
		uint64_t last;

		if (reflect_batch(rf, false) == 0 || rf->opt.spin_us == 0)
			continue;
		last = now_ns();
		while (!g_stop && now_ns() - last < rf->opt.spin_us * 1000ull)
			if (reflect_batch(rf, true) > 0)
				last = now_ns();
	}
}

/* ---- output ---- */

static void print_line(const char *line)
{
	if (fputs(line, stdout) < 0 || fflush(stdout))
		pg_fail(PG_EXIT_FAILURE, "cannot write to stdout: %s", strerror(errno));
}

static void print_listening(const struct reflector *rf, const char *bound)
{
	char line[2048], cidr[96], list[1024] = "";
	size_t len = 0;
	const char *port = strrchr(bound, ':');

	for (size_t i = 0; i < rf->opt.allow_count; i++) {
		const struct pg_cidr *c = &rf->opt.allow[i];
		char host[INET6_ADDRSTRLEN];

		inet_ntop(c->family, c->addr, host, sizeof(host));
		snprintf(cidr, sizeof(cidr), "%s%s/%u", i ? "," : "", host, c->prefix);
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s", cidr);
		if (len >= sizeof(list))
			break;
	}
	snprintf(line, sizeof(line),
		 "{\"event\":\"listening\",\"bind\":\"%s\",\"port\":%s,\"allow\":\"%s\","
		 "\"drop_every\":%" PRIu64 ",\"spin_us\":%u}\n",
		 bound, port ? port + 1 : "0", list, rf->opt.drop_every, rf->opt.spin_us);
	print_line(line);
}

static void print_summary(const struct reflector *rf, double uptime_s)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "{\"event\":\"summary\",\"received\":%" PRIu64 ",\"echoed\":%" PRIu64
		 ",\"invalid\":%" PRIu64 ",\"not_allowed\":%" PRIu64 ",\"test_drops\":%" PRIu64
		 ",\"send_errors\":%" PRIu64 ",\"one_way_answers\":%" PRIu64 ",\"uptime_s\":%.3f}\n",
		 rf->n.received, rf->n.echoed, rf->n.invalid, rf->n.not_allowed, rf->n.test_drops,
		 rf->n.send_errors, rf->n.answered, uptime_s);
	print_line(line);
}

static void on_signal(int signo)
{
	g_stop = signo;
}

int reflect_main(int argc, char **argv)
{
	static struct reflector rf;
	struct sigaction sa = {.sa_handler = on_signal};
	char bound[80];
	uint64_t started;

	parse_options(argc, argv, &rf.opt);
	/* No SA_RESTART: the blocking receive returns EINTR and the loop sees the flag. */
	if (sigemptyset(&sa.sa_mask) || sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		pg_fail(PG_EXIT_FAILURE, "sigaction: %s", strerror(errno));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	rf.fd = open_socket(&rf.opt, bound, sizeof(bound));
	rf.clock_id = rf.opt.clock_declared ? 0 : pg_host_clock_id();
	for (unsigned i = 0; i < BATCH; i++)
		rf.iov[i] = (struct iovec){.iov_base = rf.buf[i], .iov_len = BUF_BYTES};
	started = now_ns();
	print_listening(&rf, bound);
	serve(&rf);
	print_summary(&rf, (double)(now_ns() - started) / 1e9);
	close(rf.fd);
	return PG_EXIT_OK;
}
