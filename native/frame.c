// SPDX-License-Identifier: MIT
/* Ethernet/IPv4/UDP frames for raw mode and the Internet checksum (see frame.h). */

#include "frame.h"

#include <string.h>

#include "pktgen-emit.h"

#define IPPROTO_UDP_NUMBER 17u
#define ETHERTYPE_IPV4 0x0800u
#define IP_TTL_DEFAULT 64u
#define IP_FLAG_DF 0x4000u

uint64_t pg_csum_add(uint64_t sum, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint64_t)buf[i] << 8 | buf[i + 1];
	if (i < len)
		sum += (uint64_t)buf[i] << 8;
	return sum;
}

uint16_t pg_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void pg_csum_prefix(const uint8_t *buf, size_t len, uint64_t *prefix)
{
	prefix[0] = 0;
	for (size_t i = 0; i < len; i++)
		prefix[i + 1] = prefix[i] + (i % 2 == 0 ? (uint64_t)buf[i] << 8 : buf[i]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

void pg_raw_init(struct pg_raw_template *t, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		 uint32_t src_ip, uint32_t dst_ip, uint16_t dst_port)
{
	uint64_t addresses = (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) + (dst_ip & 0xffff);

	memcpy(t->dst_mac, dst_mac, 6);
	memcpy(t->src_mac, src_mac, 6);
	t->src_ip = src_ip;
	t->dst_ip = dst_ip;
	t->dst_port = dst_port;
	/* version 4, IHL 5, TOS 0 | id 0 | DF | TTL, protocol | addresses */
	t->ip_sum = 0x4500u + IP_FLAG_DF + (IP_TTL_DEFAULT << 8 | IPPROTO_UDP_NUMBER) + addresses;
	t->pseudo_sum = addresses + IPPROTO_UDP_NUMBER;
}

void pg_raw_headers(const struct pg_raw_template *t, uint8_t *head, uint16_t src_port,
		    unsigned frame_bytes)
{
	uint8_t *ip = head + PG_ETH_HEAD, *udp = ip + 20;
	uint16_t ip_len = (uint16_t)(frame_bytes - PG_L2_BYTES);
	uint16_t udp_len = (uint16_t)(ip_len - 20);

	memcpy(head, t->dst_mac, 6);
	memcpy(head + 6, t->src_mac, 6);
	put16(head + 12, ETHERTYPE_IPV4);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, ip_len);
	put16(ip + 4, 0);
	put16(ip + 6, IP_FLAG_DF);
	ip[8] = IP_TTL_DEFAULT;
	ip[9] = IPPROTO_UDP_NUMBER;
	put16(ip + 10, pg_csum_fold(t->ip_sum + ip_len));
	put32(ip + 12, t->src_ip);
	put32(ip + 16, t->dst_ip);
	put16(udp, src_port);
	put16(udp + 2, t->dst_port);
	put16(udp + 4, udp_len);
	put16(udp + 6, 0);
}

void pg_raw_udp_checksum(const struct pg_raw_template *t, uint8_t *head, uint64_t body_sum)
{
	uint8_t *udp = head + PG_ETH_HEAD + 20;
	uint64_t udp_len = (uint64_t)udp[4] << 8 | udp[5];
	/* pseudo-header (addresses, protocol, length) + UDP header (checksum 0) + test header */
	uint64_t sum = t->pseudo_sum + udp_len + pg_csum_add(0, udp, 8 + PG_HEADER_BYTES) + body_sum;
	uint16_t csum = pg_csum_fold(sum);

	/* 0 means "no checksum" in UDP over IPv4: a computed 0 is sent as its other form. */
	put16(udp + 6, csum ? csum : 0xffff);
}
