/* SPDX-License-Identifier: MIT */
/*
 * pktgen-emit: the contract shared by every part of the emitter and by anything that
 * receives its packets (see README.md beside this file).
 *
 * Test header, at the start of every UDP payload, all fields in network byte order:
 *
 *   offset  size  field
 *        0     2  magic    0x5047 ("PG")
 *        2     4  tag      the job tag given with --tag
 *        6     4  seq      per run, starting at 0, warm-up included, wraps at 2^32
 *       10     8  tx_ns    CLOCK_MONOTONIC nanoseconds when the packet was handed to the kernel
 *
 * 18 bytes: exactly the UDP payload of a 64-byte IPv4 frame (64 - 4 FCS - 14 Ethernet
 * - 20 IPv4 - 8 UDP). `pktgen-emit reflect` sends a packet back unchanged but for the magic,
 * which becomes PG_ECHO_MAGIC.
 */
#ifndef PKTGEN_EMIT_H
#define PKTGEN_EMIT_H

#include <stdint.h>
#include <stdnoreturn.h>

#define PG_VERSION "0.1.0"

#define PG_MAGIC        0x5047u
/* A reflector echoes a packet with this magic ("Pe") instead: reflectors drop it, so two
 * reflectors can never bounce a packet between them forever. */
#define PG_ECHO_MAGIC   0x5065u
#define PG_HEADER_BYTES 18u

/* Frame size = Ethernet frame including its FCS (RFC 2544); the UDP payload is what is left. */
#define PG_FRAME_MIN       64u
#define PG_FRAME_MAX       9000u
#define PG_L2_BYTES        18u /* Ethernet header 14 + FCS 4 */
#define PG_IPV4_OVERHEAD   (PG_L2_BYTES + 20u + 8u) /* 46 */
#define PG_IPV6_OVERHEAD   (PG_L2_BYTES + 40u + 8u) /* 66 */
#define PG_WIRE_EXTRA      20u /* preamble + SFD 8, inter-frame gap 12: counted in wire rates */
#define PG_PAYLOAD_MAX     (PG_FRAME_MAX - PG_IPV4_OVERHEAD)

/* The pid of the process that starts the helper (the node daemon sets it): the helper runs only
 * while that process is its parent, and is killed when it dies (PR_SET_PDEATHSIG). */
#define PG_PARENT_PID_ENV "PKTGEN_EMIT_PARENT_PID"

/* Exit codes: part of the contract with the node daemon. */
enum pg_exit {
	PG_EXIT_OK = 0,
	PG_EXIT_FAILURE = 1,     /* runtime failure */
	PG_EXIT_USAGE = 2,       /* bad option or combination: nothing was sent */
	PG_EXIT_NOPERM = 3,      /* EPERM/EACCES from socket or send */
	PG_EXIT_UNSUPPORTED = 4, /* this host cannot do it (no IPv6, MTU too small, fd limit) */
	PG_EXIT_INTERRUPTED = 5, /* SIGINT/SIGTERM: the summary was still printed */
};

/* Writes the test header into buf (PG_HEADER_BYTES long), byte by byte: no alignment needed. */
static inline void pg_header_write(uint8_t *buf, uint32_t tag, uint32_t seq, uint64_t tx_ns)
{
	buf[0] = (uint8_t)(PG_MAGIC >> 8);
	buf[1] = (uint8_t)PG_MAGIC;
	for (int i = 0; i < 4; i++)
		buf[2 + i] = (uint8_t)(tag >> (24 - 8 * i));
	for (int i = 0; i < 4; i++)
		buf[6 + i] = (uint8_t)(seq >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		buf[10 + i] = (uint8_t)(tx_ns >> (56 - 8 * i));
}

/* Rewrites only the timestamp of a header written by pg_header_write. */
static inline void pg_header_stamp(uint8_t *buf, uint64_t tx_ns)
{
	for (int i = 0; i < 8; i++)
		buf[10 + i] = (uint8_t)(tx_ns >> (56 - 8 * i));
}

/* Prints "pktgen-emit: <message>" on stderr and exits with code. */
noreturn void pg_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Which CLOCK_REALTIME this is, for one-way stamps (oneway.h): a hash of the kernel's boot id,
 * the same in every network namespace of this kernel. Never 0. */
uint32_t pg_host_clock_id(void);

/* Prints "pktgen-emit: warning: <message>" on stderr and goes on. */
void pg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
