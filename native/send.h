/* SPDX-License-Identifier: MIT */
/*
 * `pktgen-emit send`: its options (send-options.c), parsed and fully validated before any
 * socket exists, and the send path (send.c).
 */
#ifndef PKTGEN_SEND_H
#define PKTGEN_SEND_H

#include <stdbool.h>
#include <stdint.h>

#include "oneway.h"
#include "pktgen-emit.h"
#include "size-mix.h"

#define SEND_FLOWS_MAX 1024u
#define SEND_BATCH_MAX 64u
#define SEND_IFNAME_MAX 15u /* IFNAMSIZ - 1 */
/* The smallest frame with room for the one-way block, given the header overhead. */
#define ONE_WAY_FRAME_MIN(overhead) ((overhead) + PG_HEADER_BYTES + PG_OW_BYTES)
#define SEND_THREADS_MAX 64u

struct send_options {
	const char *dst;     /* HOST:PORT as given, for messages */
	char dst_host[256];  /* host part, brackets removed */
	char dst_port[6];    /* port part, 1..65535 */
	double rate_mbps;    /* frame bits per second / 1e6; <= 0: as fast as possible */
	double max_rate_mbps; /* --max-rate: a ceiling on rate_mbps; 0: none */
	bool rate_capped;     /* --rate 0 (as fast as possible) is paced at --max-rate */
	bool rate_given;      /* --rate was on the command line */
	double pps;           /* --pps: frames per second (paced as rate_mbps); 0: not given */
	double duration_s;   /* measured window */
	double warmup_s;     /* traffic before the measured window, reported apart */
	unsigned flows;      /* UDP source ports used round robin, one per batch */
	unsigned size_min;   /* frame bytes including FCS */
	unsigned size_max;
	struct size_mix mix;  /* --sizes: frames in these proportions (count 0: uniform in [min, max]) */
	double size_mean;     /* the mean frame, bytes: what the pacer and --pps count on average */
	unsigned batch;      /* packets per sendmmsg call, at most */
	bool batch_given;    /* --batch was on the command line */
	unsigned interval_ms;
	uint64_t max_packets; /* 0: no cap */
	uint32_t tag;
	bool random_payload;
	bool latency;
	const char *interface; /* raw mode through AF_PACKET on this interface; NULL: UDP */
	bool dst_mac_given;
	uint8_t dst_mac[6];    /* --dst-mac, else looked up in the neighbour table */
	bool gso;              /* UDP segmentation offload where the flows allow it */
	bool one_way;          /* ask the reflector for one-way figures (oneway.h) */
	bool clock_declared;   /* --clock-offset-ns was given */
	int64_t clock_offset_ns; /* CLOCK_REALTIME minus the reference clock */
	bool size_given, sizes_given; /* --size, --sizes on the command line (not both) */
	unsigned threads;      /* sending threads, each with its share of the flows and rate */
};

/*
 * Parses argv (argv[0] is the command name) into opt. Prints help or the version and exits 0
 * when asked; on a bad value or combination prints one line naming the option and exits 2.
 */
void send_options_parse(int argc, char **argv, struct send_options *opt);

/* Checks what depends on the resolved address family (IPv6 needs bigger frames); exits 2. */
void send_options_check_family(const struct send_options *opt, int family);

/* Runs the traffic described by opt, prints the reports; returns the exit code (0 or 5). */
int send_run(const struct send_options *opt);

#endif
