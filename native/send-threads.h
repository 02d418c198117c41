/* SPDX-License-Identifier: MIT */
/*
 * `send --threads N`: N sending threads, each with its own share of the flows (its own sockets,
 * none shared), its own pacer at rate / N and its own echo path. Their interval lines are merged
 * by interval (printed once every thread has passed it) and their summaries into one.
 */
#ifndef PKTGEN_SEND_THREADS_H
#define PKTGEN_SEND_THREADS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "send-internal.h"

/* Runs opt's traffic on opt->threads threads and prints the merged reports; returns true when
 * a signal stopped it. A thread that fails exits the whole process with its error (pg_fail):
 * no run reports a total that a dead thread is missing from. */
bool team_run(const struct send_options *opt, const struct sockaddr_storage *dst, socklen_t len);

/* One of a team's runs closed an interval (instead of printing it). */
void team_interval(struct team *t, unsigned thread, const struct interval *iv, uint64_t end_ns,
		   uint64_t rx_packets, uint64_t rx_bytes);

#endif
