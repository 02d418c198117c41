/* SPDX-License-Identifier: MIT */
/*
 * Raw mode of `send`: Ethernet/IPv4/UDP frames built here (frame.c) and sent through an
 * AF_PACKET socket with sendmmsg and PACKET_QDISC_BYPASS. The flow sockets stay open: their
 * ephemeral ports are the frames' source ports, so echoes still come back to them.
 */
#ifndef PKTGEN_RAW_H
#define PKTGEN_RAW_H

#include <netpacket/packet.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "frame.h"
#include "send.h"

struct raw_path {
	int fd;
	struct sockaddr_ll to; /* the interface the socket is bound to */
	struct pg_raw_template tpl;
	bool loopback;
};

/*
 * Opens raw mode on opt->interface for packets from probe_fd's address (a flow socket already
 * connected to dst). Returns 0, or EPERM when the process lacks CAP_NET_RAW (the caller falls
 * back to UDP). Exits 2 for an unknown interface or a route through another one, 4 when the
 * destination's MAC cannot be found.
 */
int raw_open(struct raw_path *raw, const struct send_options *opt,
	     const struct sockaddr_storage *dst, int probe_fd);
void raw_close(struct raw_path *raw);

#endif
