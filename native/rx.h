/* SPDX-License-Identifier: MIT */
/*
 * The echo path of `send`: echoes from a reflector come back on the flow sockets (they are
 * connected to --dst, so the kernel hands each socket only its peer's datagrams). The send
 * loop polls them between batches without blocking; the kernel's receive timestamp
 * (SO_TIMESTAMPNS) dates each echo, so how late the loop reads it does not change its RTT.
 * ICMP errors (port unreachable) are read from the error queue here too.
 */
#ifndef PKTGEN_RX_H
#define PKTGEN_RX_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "oneway.h"
#include "stats.h"

#define RX_BATCH 64u
#define RX_SNAP 64u /* bytes of each echo read: the test header is all that is needed */

struct rx_path {
	int epfd;
	const int *fds;
	unsigned flows;
	uint32_t tag;
	unsigned overhead; /* frame bytes = UDP payload + overhead */
	bool timestamps;   /* RTT samples are taken (--latency) */
	int64_t real_minus_mono; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns: converts kernel stamps */
	uint64_t synced_ns;      /* when that offset was measured (CLOCK_MONOTONIC) */
	struct pg_rx stats;
	uint64_t refused;  /* ICMP port unreachable reports */
	uint64_t foreign;  /* datagrams that were not echoes of this run */
	uint64_t arrived_packets, arrived_bytes; /* echoes read since the last interval report */
	bool one_way;            /* the packets ask for one-way answers (send --one-way) */
	uint32_t clock_id;       /* ours: an answer with the same id has comparable stamps */
	int64_t clock_offset_ns; /* declared: CLOCK_REALTIME minus the reference clock */
	struct pg_ow ow;
	uint8_t buf[RX_BATCH][RX_SNAP];
	char control[RX_BATCH][64];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
};

/* Sets up polling of the flow sockets (receive buffer, timestamps when asked); exits on error. */
void rx_open(struct rx_path *rx, const int *fds, unsigned flows, uint32_t tag, unsigned overhead,
	     bool timestamps);
void rx_close(struct rx_path *rx);
/* Reads the one-way answers in the echoes from now on (after rx_open). */
void rx_one_way(struct rx_path *rx, uint32_t clock_id, int64_t clock_offset_ns);
/* Reads whatever has arrived, waiting up to timeout_ms (0: not at all). sent is the number of
 * packets sent so far: the 32-bit seq of an echo is extended against it. */
void rx_poll(struct rx_path *rx, uint64_t sent, int timeout_ms);
/*
 * After the last packet: waits for late echoes, at most max(200 ms, 4 x the largest RTT seen),
 * 2 s at most, and no longer once every measured packet is back or a signal came. Returns the
 * time waited in ns.
 */
uint64_t rx_drain(struct rx_path *rx, uint64_t sent, uint64_t measured_tx,
		  volatile sig_atomic_t *stop);

#endif
