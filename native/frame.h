/* SPDX-License-Identifier: MIT */
/*
 * Ethernet/IPv4/UDP frames for raw mode, and the Internet checksum (RFC 1071). Pure: no
 * syscalls. Unit-tested by unit-test.c against a byte-by-byte reference.
 *
 * A raw frame is PG_RAW_HEAD bytes of headers, the 18-byte test header, then the body; its
 * buffer is the frame size minus the 4-byte FCS, which the NIC (or veth: nobody) adds.
 */
#ifndef PKTGEN_FRAME_H
#define PKTGEN_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PG_ETH_HEAD 14u
#define PG_RAW_HEAD 42u /* Ethernet 14 + IPv4 20 + UDP 8 */
#define PG_FCS_BYTES 4u

/*
 * Adds len bytes to a ones' complement sum as big-endian 16-bit words, an odd last byte as
 * the high half of a word. buf must start at an even offset of the checksummed data.
 */
uint64_t pg_csum_add(uint64_t sum, const uint8_t *buf, size_t len);
/* Folds a sum to 16 bits and complements it: the value for a checksum field. */
uint16_t pg_csum_fold(uint64_t sum);
/*
 * prefix[i] = pg_csum_add(0, buf, i) for i in 0..len (len + 1 entries), so the sum of
 * buf[a..b) for an even a is prefix[b] - prefix[a]: one subtraction per packet body.
 */
void pg_csum_prefix(const uint8_t *buf, size_t len, uint64_t *prefix);

/* What stays the same in every frame of a run. Addresses and ports in host byte order. */
struct pg_raw_template {
	uint8_t dst_mac[6], src_mac[6];
	uint32_t src_ip, dst_ip;
	uint16_t dst_port;
	uint64_t ip_sum;     /* the constant words of the IPv4 header */
	uint64_t pseudo_sum; /* addresses and protocol of the UDP pseudo-header */
};

void pg_raw_init(struct pg_raw_template *t, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		 uint32_t src_ip, uint32_t dst_ip, uint16_t dst_port);
/* Writes the PG_RAW_HEAD header bytes of a frame of frame_bytes (FCS included), IPv4 checksum
 * done, UDP checksum 0 until pg_raw_udp_checksum. */
void pg_raw_headers(const struct pg_raw_template *t, uint8_t *head, uint16_t src_port,
		    unsigned frame_bytes);
/* Sets the UDP checksum; head holds the headers then the 18-byte test header, body_sum is
 * the pg_csum_add sum of the body that follows. */
void pg_raw_udp_checksum(const struct pg_raw_template *t, uint8_t *head, uint64_t body_sum);

#endif
