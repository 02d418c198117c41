/* SPDX-License-Identifier: MIT */
/* The state of one `send` run, shared by the send loop (send.c) and its reports (send-report.c). */
#ifndef PKTGEN_SEND_INTERNAL_H
#define PKTGEN_SEND_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "frame.h"
#include "pacer.h"
#include "pktgen-emit.h"
#include "raw.h"
#include "rx.h"
#include "send.h"
#include "stats.h"

/* UDP GSO: segments per sendmmsg message at most (the kernel's UDP_MAX_SEGMENTS is >= 64),
 * and the UDP payload a message may carry in all. */
#define GSO_SEGS_MAX 64u
#define GSO_BYTES_MAX 65507u
#define BATCH_PACKETS_MAX (SEND_BATCH_MAX * GSO_SEGS_MAX)
/* Per packet: room for the raw Ethernet/IPv4/UDP headers, then the test header. */
#define HEAD_BYTES (PG_RAW_HEAD + PG_HEADER_BYTES)

enum send_mode { MODE_UDP, MODE_UDP_GSO, MODE_RAW };
enum phase { PHASE_WARMUP, PHASE_MEASURE };

extern const char *const SEND_MODE_NAMES[];
extern const char *const PHASE_NAMES[];

struct counters {
	uint64_t packets, bytes; /* bytes = frame bytes including FCS */
	uint64_t stalls, retries;
	uint64_t late_max_ns; /* the latest a batch started after its deadline, in a stall */
};

struct interval {
	enum phase phase;
	uint64_t start_ns;
	struct counters c;
};

struct generator {
	uint32_t tag;
	uint64_t seq; /* packets sent so far; the header carries its low 32 bits */
	unsigned size_min, size_max, overhead;
	const struct size_mix *mix; /* NULL: sizes uniform in [size_min, size_max] */
	size_t spread; /* 0: every payload is the fixed pattern */
	unsigned ow_bytes; /* the one-way ask block after the header: PG_OW_BYTES or 0 */
	uint16_t stream;   /* its stream: the thread + 1 (the reflector counts per stream) */
	uint64_t ow_sum;   /* its checksum sum (raw mode) */
	uint64_t rng;
};

/*
 * Up to BATCH_PACKETS_MAX packets; messages are made per send attempt (GSO: segs per message).
 * Each packet has a slot: raw headers, test header, then (fixed pattern) its body, written once
 * at start, so a packet is one iovec and only its headers change. A random payload is a second
 * iovec into the random pool instead.
 */
struct batch {
	unsigned count;
	unsigned iov_per_packet; /* 1, or 2 with --random-payload */
	size_t slot_bytes;
	uint8_t *slots;
	uint32_t frame_bytes[BATCH_PACKETS_MAX];
	uint64_t body_sum[BATCH_PACKETS_MAX]; /* raw mode: checksum sum of the body */
	struct iovec iov[2 * BATCH_PACKETS_MAX];
	struct mmsghdr msg[BATCH_PACKETS_MAX];
};

struct flows {
	int fd[SEND_FLOWS_MAX];
	uint16_t port[SEND_FLOWS_MAX]; /* local (source) port, host byte order */
	unsigned count, next;
};

struct team;

struct run {
	const struct send_options *opt;
	struct team *team; /* send --threads: the team this run is one thread of; NULL: alone */
	struct pg_ow_sum *ow_sum; /* a team's merged run: every thread's one-way figures */
	unsigned thread;   /* its index in the team, 0 alone */
	enum send_mode mode;
	const char *fallback; /* why the path asked for is not the one used; NULL when it is */
	struct flows flows;
	struct raw_path raw;
	struct rx_path rx;
	struct generator gen;
	struct batch batch;
	struct pacer pacer;
	unsigned batch_size; /* packets per send call at most */
	unsigned segs;       /* packets per message: GSO segments, else 1 */
	uint64_t start_ns, measure_ns, end_ns, interval_ns;
	struct interval cur;
	struct counters totals[2]; /* per phase */
	uint64_t measured_ns;      /* measured time actually run */
	bool measuring;            /* the measured window has started */
	uint64_t last_measure_len_ns;
	struct pg_intervals tx_iv;
	uint64_t last_rx_poll_ns;
	uint64_t drain_ns;
	uint64_t tx_sizes[SIZE_MIX_MAX]; /* a mix: frames of each size sent in the measured window */
};

/* CLOCK_MONOTONIC now, in ns. */
uint64_t now_ns(void);
/* Adds c's counts to to's (the latest stall is kept). */
void counters_add(struct counters *to, const struct counters *c);
/* A run's sockets, send path, generator and echo path: everything before the first packet.
 * opt is this run's share of the traffic (its flows, its rate); thread its index in a team. */
void run_setup(struct run *r, const struct send_options *opt, const struct sockaddr_storage *dst,
	       socklen_t len, unsigned thread);
/* Starts the clock: warm-up, measured window and pacer count from start_ns. */
void run_start(struct run *r, uint64_t start_ns);
/* Sends until the end, a cap or a signal, drains the echoes and closes the sockets; returns
 * true when a signal stopped it. */
bool run_traffic(struct run *r);
/* Frees what run_setup allocated that the summary no longer needs. */
void run_release(struct run *r);

/* One interval line; rx_* are the echoes that arrived during it. */
void report_interval(const struct run *r, const struct interval *iv, uint64_t end_ns,
		     uint64_t rx_packets, uint64_t rx_bytes);
/* The summary line. */
void report_summary(const struct run *r, bool interrupted);

#endif
