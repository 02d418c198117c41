// SPDX-License-Identifier: MIT
/*
 * The pacer's set-up and rate changes (pacer.h holds the per-batch calls): pure arithmetic on
 * nanoseconds passed in, no clock, no system call.
 */

#include "pacer.h"

unsigned pacer_batch_packets(double rate_mbps, double mean_frame_bytes, unsigned most)
{
	double n;

	if (rate_mbps <= 0)
		return most;
	n = floor(rate_mbps * 1e6 / 8 * (PACER_BURST_NS / 1e9) / mean_frame_bytes);
	if (n < 1)
		return 1;
	return n < most ? (unsigned)n : most;
}

double pacer_pps_mbps(double pps, double mean_frame_bytes)
{
	return pps * mean_frame_bytes * 8 / 1e6;
}

void pacer_init(struct pacer *p, double rate_mbps, double batch_bytes, uint64_t start_ns)
{
	*p = (struct pacer){.origin_ns = start_ns};
	pacer_set_rate(p, rate_mbps, batch_bytes, start_ns);
}

void pacer_set_rate(struct pacer *p, double rate_mbps, double batch_bytes, uint64_t now_ns)
{
	double elapsed = (double)(now_ns - p->origin_ns), batch_ns;
	/* > 0: bytes sent ahead of the schedule; < 0: bytes due and not sent yet. */
	double ahead_bytes = p->enabled ? (p->next_ns - elapsed) / p->ns_per_byte : 0;

	p->enabled = rate_mbps > 0;
	if (!p->enabled)
		return;
	p->ns_per_byte = 8e3 / rate_mbps; /* 8 bits per byte, rate * 1e6 bit/s, 1e9 ns/s */
	batch_ns = batch_bytes * p->ns_per_byte;
	p->depth_ns = PACER_DEPTH_NS > 2 * batch_ns ? PACER_DEPTH_NS : 2 * batch_ns;
	p->next_ns = elapsed + ahead_bytes * p->ns_per_byte;
	if (p->next_ns < elapsed - p->depth_ns)
		p->next_ns = elapsed - p->depth_ns;
}
