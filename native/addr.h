/* SPDX-License-Identifier: MIT */
/* Addresses on the command line: HOST:PORT, CIDR allowlists, and printing socket addresses. */
#ifndef PKTGEN_ADDR_H
#define PKTGEN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct pg_hostport {
	char host[256]; /* brackets removed */
	char port[6];   /* digits, 0..65535 (0 only when allowed) */
};

/* Parses HOST:PORT or [IPV6]:PORT. Returns NULL, or what is wrong (for "--opt VALUE: why"). */
const char *pg_parse_hostport(const char *s, struct pg_hostport *out, bool allow_port_zero);

/* One range of an allowlist. IPv4 ranges also match IPv4-mapped IPv6 addresses. */
struct pg_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

/* Parses 10.0.0.0/8, ::1/128, or a bare address (a full-length prefix). NULL or what is wrong. */
const char *pg_parse_cidr(const char *s, struct pg_cidr *out);
/* True when the address of sa falls in one of the n ranges. */
bool pg_cidr_match(const struct pg_cidr *list, size_t n, const struct sockaddr *sa);
/* "192.0.2.1:9" or "[2001:db8::1]:9" (an IPv4-mapped address prints as IPv4). */
void pg_format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

#endif
