// SPDX-License-Identifier: MIT
/* A weighted mix of frame sizes, in a smooth weighted round-robin order (see size-mix.h). */

#include "size-mix.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* Digits only, within 1..max; *end past them. */
static int parse_number(const char *s, const char **end, unsigned long max, unsigned *out)
{
	char *stop;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &stop, 10);
	if (errno == ERANGE || v < 1 || v > max)
		return -1;
	*end = stop;
	*out = (unsigned)v;
	return 0;
}

/* nginx's smooth weighted round robin: every step each size gains its weight, the one with the
 * most credit goes next and pays the total. Over a period every size goes `weight` times, spread
 * as evenly as the weights allow; ties go to the size listed first. */
static void build_order(struct size_mix *mix)
{
	long credit[SIZE_MIX_MAX] = {0};

	for (unsigned pos = 0; pos < mix->total; pos++) {
		unsigned best = 0;

		for (unsigned i = 0; i < mix->count; i++) {
			credit[i] += mix->weight[i];
			if (credit[i] > credit[best])
				best = i;
		}
		credit[best] -= mix->total;
		mix->order[pos] = (uint8_t)best;
	}
}

const char *size_mix_parse(const char *text, unsigned lo, unsigned hi, struct size_mix *mix)
{
	const char *p = text;

	mix->count = 0;
	mix->total = 0;
	for (;;) {
		unsigned size, weight = 1;

		if (mix->count == SIZE_MIX_MAX)
			return "at most 16 sizes in a mix";
		if (parse_number(p, &p, 1000000, &size))
			return "expected SIZE:WEIGHT[,SIZE:WEIGHT...], e.g. 64:7,594:4,1518:1";
		if (size < lo || size > hi)
			return "a frame size is outside the accepted range";
		if (*p == ':' && parse_number(p + 1, &p, SIZE_MIX_WEIGHT_MAX, &weight))
			return "a weight must be a whole number 1..10000";
		for (unsigned i = 0; i < mix->count; i++)
			if (mix->size[i] == size)
				return "a frame size is given twice";
		mix->size[mix->count] = size;
		mix->weight[mix->count++] = weight;
		mix->total += weight;
		if (mix->total > SIZE_MIX_WEIGHT_MAX)
			return "the weights add up to more than 10000";
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return "expected SIZE:WEIGHT[,SIZE:WEIGHT...], e.g. 64:7,594:4,1518:1";
	}
	build_order(mix);
	return NULL;
}

double size_mix_mean(const struct size_mix *mix)
{
	double bytes = 0;

	for (unsigned i = 0; i < mix->count; i++)
		bytes += (double)mix->size[i] * mix->weight[i];
	return bytes / mix->total;
}

/* Packets of size index i among packet numbers [0, n). */
static uint64_t count_before(const struct size_mix *mix, unsigned i, uint64_t n)
{
	uint64_t count = n / mix->total * mix->weight[i];

	for (unsigned pos = 0; pos < n % mix->total; pos++)
		count += mix->order[pos] == i;
	return count;
}

uint64_t size_mix_count(const struct size_mix *mix, unsigned i, uint64_t from, uint64_t to)
{
	return count_before(mix, i, to) - count_before(mix, i, from);
}
