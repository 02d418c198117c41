// SPDX-License-Identifier: MIT
/* Addresses on the command line (see addr.h). */

#define _GNU_SOURCE

#include "addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pg_parse_hostport(const char *s, struct pg_hostport *out, bool allow_port_zero)
{
	const char *host = s, *host_end, *port;
	char *end;
	unsigned long number;

	if (s[0] == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (!host_end || host_end[1] != ':')
			return "expected [IPV6]:PORT, e.g. [::1]:9";
		port = host_end + 2;
	} else {
		host_end = strrchr(s, ':');
		if (!host_end)
			return "expected HOST:PORT, e.g. 127.0.0.1:9";
		if (strchr(s, ':') != host_end)
			return "an IPv6 address needs brackets, e.g. [::1]:9";
		port = host_end + 1;
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(out->host))
		return "expected a host before the port";
	number = isdigit((unsigned char)port[0]) ? strtoul(port, &end, 10) : 0;
	if (!isdigit((unsigned char)port[0]) || *end != '\0' || strlen(port) > 5 || number > 65535 ||
	    (number == 0 && !allow_port_zero))
		return allow_port_zero ? "the port must be a number within 0..65535"
				       : "the port must be a number within 1..65535";
	memcpy(out->host, host, (size_t)(host_end - host));
	out->host[host_end - host] = '\0';
	snprintf(out->port, sizeof(out->port), "%lu", number);
	return NULL;
}

const char *pg_parse_cidr(const char *s, struct pg_cidr *out)
{
	char text[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	char *end;

	if (len == 0 || len >= sizeof(text))
		return "expected a CIDR such as 127.0.0.0/8 or ::1/128";
	memcpy(text, s, len);
	text[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, text, out->addr) == 1)
		out->family = AF_INET6;
	else
		return "expected a CIDR such as 127.0.0.0/8 or ::1/128";
	max = out->family == AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash) {
		unsigned long prefix = isdigit((unsigned char)slash[1]) ? strtoul(slash + 1, &end, 10) : 999;

		if (!isdigit((unsigned char)slash[1]) || *end != '\0' || prefix > max)
			return "the prefix length must be within 0..32 (IPv4) or 0..128 (IPv6)";
		out->prefix = (unsigned)prefix;
	}
	return NULL;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* The address of sa as family + bytes; an IPv4-mapped IPv6 address counts as IPv4. */
static int address_of(const struct sockaddr *sa, const uint8_t **bytes)
{
	if (sa->sa_family == AF_INET) {
		*bytes = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			*bytes = a->s6_addr + 12;
			return AF_INET;
		}
		*bytes = a->s6_addr;
		return AF_INET6;
	}
	return AF_UNSPEC;
}

bool pg_cidr_match(const struct pg_cidr *list, size_t n, const struct sockaddr *sa)
{
	const uint8_t *bytes = NULL;
	int family = address_of(sa, &bytes);

	for (size_t i = 0; i < n; i++)
		if (list[i].family == family && prefix_equal(list[i].addr, bytes, list[i].prefix))
			return true;
	return false;
}

void pg_format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const uint8_t *bytes = NULL;
	int family = address_of(sa, &bytes);
	unsigned port = sa->sa_family == AF_INET
				? ntohs(((const struct sockaddr_in *)sa)->sin_port)
				: ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);

	if (family != AF_UNSPEC)
		inet_ntop(family, bytes, host, sizeof(host));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
}
