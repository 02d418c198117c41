// SPDX-License-Identifier: MIT
/* Command line of `pktgen-emit send`: defaults, parsing, validation, help. */

#define _GNU_SOURCE

#include "send.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "pacer.h"
#include "pktgen-emit.h"

/* Every default lives here; the help text prints these values. */
static const struct send_options DEFAULTS = {
	.rate_mbps = 10,
	.duration_s = 10,
	.warmup_s = 0,
	.flows = 1,
	.size_min = 64,
	.size_max = 64,
	.batch = 32,
	.interval_ms = 1000,
	.max_packets = 0,
	.tag = 0,
	.gso = true,
	.threads = 1,
};

/* Longest warm-up + duration accepted: keeps nanosecond arithmetic far from overflow. */
#define RUN_MAX_S 1e6
#define INTERVAL_MS_MIN 10u
#define INTERVAL_MS_MAX 3600000u

enum {
	OPT_DST = 256,
	OPT_RATE,
	OPT_MAX_RATE,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_FLOWS,
	OPT_SIZE,
	OPT_RANDOM_PAYLOAD,
	OPT_LATENCY,
	OPT_TAG,
	OPT_BATCH,
	OPT_MAX_PACKETS,
	OPT_INTERVAL_MS,
	OPT_INTERFACE,
	OPT_DST_MAC,
	OPT_NO_GSO,
	OPT_PPS,
	OPT_SIZES,
	OPT_ONE_WAY,
	OPT_CLOCK_OFFSET,
	OPT_THREADS,
};

static const struct option LONG_OPTIONS[] = {
	{"dst", required_argument, NULL, OPT_DST},
	{"rate", required_argument, NULL, OPT_RATE},
	{"max-rate", required_argument, NULL, OPT_MAX_RATE},
	{"pps", required_argument, NULL, OPT_PPS},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"flows", required_argument, NULL, OPT_FLOWS},
	{"size", required_argument, NULL, OPT_SIZE},
	{"sizes", required_argument, NULL, OPT_SIZES},
	{"random-payload", no_argument, NULL, OPT_RANDOM_PAYLOAD},
	{"latency", no_argument, NULL, OPT_LATENCY},
	{"tag", required_argument, NULL, OPT_TAG},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"max-packets", required_argument, NULL, OPT_MAX_PACKETS},
	{"interval-ms", required_argument, NULL, OPT_INTERVAL_MS},
	{"interface", required_argument, NULL, OPT_INTERFACE},
	{"dst-mac", required_argument, NULL, OPT_DST_MAC},
	{"no-gso", no_argument, NULL, OPT_NO_GSO},
	{"one-way", no_argument, NULL, OPT_ONE_WAY},
	{"clock-offset-ns", required_argument, NULL, OPT_CLOCK_OFFSET},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void print_help(void)
{
	const struct send_options *d = &DEFAULTS;

	printf("Usage: pktgen-emit [send] --dst HOST:PORT [options]\n"
	       "\n"
	       "Sends paced UDP test traffic and prints one JSON object per line on stdout.\n"
	       "\n"
	       "Commands:\n"
	       "  send                send traffic to --dst (the default command)\n"
	       "  reflect             echo test packets back to their sender (reflect --help)\n"
	       "\n"
	       "Options of send:\n"
	       "  --dst HOST:PORT     destination: 192.0.2.1:9, [2001:db8::1]:9 or a name (required)\n"
	       "  --rate MBPS         target rate of frame bytes in Mbit/s; 0 or less: as fast as\n"
	       "                      possible (%g)\n"
	       "  --pps N             target rate in frames per second, > 0, instead of --rate\n"
	       "  --max-rate MBPS     a ceiling, for a caller that must never exceed it: a higher\n"
	       "                      --rate, or --pps N whose N largest frames a second carry\n"
	       "                      more, is refused; --rate 0 is paced at MBPS (default: none)\n"
	       "  --duration S        measured seconds, > 0 (%g)\n"
	       "  --warmup S          seconds of traffic sent first at the same rate, reported\n"
	       "                      apart (%g)\n"
	       "  --flows N           flows = UDP source ports, round robin per batch, 1..%u (%u)\n"
	       "  --size MIN[-MAX]    frame size in bytes including the 4-byte FCS, %u..%u, uniform in\n"
	       "                      [MIN, MAX] (%u)\n"
	       "  --sizes S:W,...     instead of --size: a weighted mix, e.g. 64:7,594:4,1518:1\n"
	       "                      (IMIX); frames interleave in exactly these proportions, each\n"
	       "                      counted at its own size by the pacer; at most %u sizes, weights\n"
	       "                      adding up to %u at most\n"
	       "  --random-payload    random payload after the test header (default: a fixed pattern)\n"
	       "  --latency           stamp every packet right before its own send call (one packet\n"
	       "                      per call: --batch must be 1 or left out)\n"
	       "  --tag N             job tag in every packet header, 0..4294967295 (%" PRIu32 ")\n"
	       "  --batch N           packets per sendmmsg call at most, 1..%u (%u)\n"
	       "  --max-packets N     stop after N packets, warm-up included; 0: no cap (%" PRIu64 ")\n"
	       "  --interval-ms N     report interval, %u..%u ms (%u)\n"
	       "  --interface IF      raw mode: build Ethernet/IPv4/UDP frames and send them through\n"
	       "                      an AF_PACKET socket on IF, bypassing the qdisc (needs\n"
	       "                      CAP_NET_RAW; without it: UDP sockets, said on stderr and in\n"
	       "                      the summary)\n"
	       "  --dst-mac MAC       raw mode: destination MAC (default: the neighbour table)\n"
	       "  --no-gso            UDP mode: no UDP segmentation offload (by default used when\n"
	       "                      every frame has one size and --latency is off)\n"
	       "  --one-way           ask the reflector for one-way figures (forward and return\n"
	       "                      loss, its drops; with --latency jitter and delays): a %u-byte\n"
	       "                      block after the header, so frames of %u bytes at least (%u\n"
	       "                      over IPv6)\n"
	       "  --clock-offset-ns N this host's CLOCK_REALTIME minus a reference clock (NTP/PTP),\n"
	       "                      declared: one-way delays then count against a reflector that\n"
	       "                      declared its own\n"
	       "  --threads N         sending threads, 1..%u, each with its own share of the flows\n"
	       "                      (so N <= --flows) paced at rate / N; one merged report (%u)\n"
	       "  -h, --help          print this help\n"
	       "  -V, --version       print the version\n"
	       "\n"
	       "UDP payload = size - %u over IPv4, size - %u over IPv6 (IPv6 needs size >= %u).\n"
	       "Every payload starts with an %u-byte header: magic 0x5047, tag u32, seq u32,\n"
	       "tx CLOCK_MONOTONIC ns u64, network byte order.\n"
	       "Output: one {\"event\":\"interval\",...} line per interval, then one\n"
	       "{\"event\":\"summary\",...} line. Echoes from a reflector at --dst (pktgen-emit\n"
	       "reflect) are counted per packet sent in the measured window: rx, loss, duplicates,\n"
	       "reordering and, with --latency, RTT percentiles.\n"
	       "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 not permitted, 4 unsupported,\n"
	       "5 interrupted by SIGINT/SIGTERM (the summary is still printed).\n",
	       d->rate_mbps, d->duration_s, d->warmup_s, SEND_FLOWS_MAX, d->flows, PG_FRAME_MIN,
	       PG_FRAME_MAX, d->size_min, SIZE_MIX_MAX, SIZE_MIX_WEIGHT_MAX, d->tag, SEND_BATCH_MAX, d->batch, d->max_packets,
	       INTERVAL_MS_MIN, INTERVAL_MS_MAX, d->interval_ms, PG_OW_BYTES, ONE_WAY_FRAME_MIN(PG_IPV4_OVERHEAD),
	       ONE_WAY_FRAME_MIN(PG_IPV6_OVERHEAD), SEND_THREADS_MAX, d->threads,
	       PG_IPV4_OVERHEAD, PG_IPV6_OVERHEAD,
	       PG_IPV6_OVERHEAD + PG_HEADER_BYTES, PG_HEADER_BYTES);
}

/* "pktgen-emit: --OPT VALUE: <why>", exit 2. value may be NULL when the option is missing. */
static noreturn void __attribute__((format(printf, 3, 4)))
bad_option(const char *opt, const char *value, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (value)
		pg_fail(PG_EXIT_USAGE, "%s %s: %s", opt, value, why);
	pg_fail(PG_EXIT_USAGE, "%s: %s", opt, why);
}

/* A finite decimal number, nothing after it. */
static double parse_double(const char *opt, const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		bad_option(opt, s, "expected %s", what);
	return v;
}

/* Digits only: no sign, no hex, no octal surprise from a leading 0. */
static bool to_uint(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return isdigit((unsigned char)s[0]) && *end == '\0' && errno != ERANGE;
}

/* A whole number within [lo, hi]; what names the quantity in messages ("the tag"). */
static uint64_t parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi,
			   const char *what)
{
	uint64_t v;

	if (!to_uint(s, &v))
		bad_option(opt, s, "expected a whole number");
	if (v < lo || v > hi)
		bad_option(opt, s, "%s must be within %" PRIu64 "..%" PRIu64, what, lo, hi);
	return v;
}

/* MIN[-MAX], each a frame size in PG_FRAME_MIN..PG_FRAME_MAX. */
static void parse_size(const char *s, struct send_options *opt)
{
	char min_text[16];
	const char *dash = strchr(s, '-');
	size_t min_len = dash ? (size_t)(dash - s) : strlen(s);
	uint64_t lo, hi;

	if (min_len == 0 || min_len >= sizeof(min_text))
		bad_option("--size", s, "expected MIN or MIN-MAX frame bytes, e.g. 64 or 200-800");
	memcpy(min_text, s, min_len);
	min_text[min_len] = '\0';
	if (!to_uint(min_text, &lo) || !to_uint(dash ? dash + 1 : min_text, &hi))
		bad_option("--size", s, "expected MIN or MIN-MAX frame bytes, e.g. 64 or 200-800");
	if (lo < PG_FRAME_MIN || lo > PG_FRAME_MAX || hi < PG_FRAME_MIN || hi > PG_FRAME_MAX)
		bad_option("--size", s, "frame size must be within %u..%u bytes", PG_FRAME_MIN,
			   PG_FRAME_MAX);
	if (lo > hi)
		bad_option("--size", s, "MIN must not exceed MAX");
	opt->size_min = (unsigned)lo;
	opt->size_max = (unsigned)hi;
	opt->size_given = true;
}

/* SIZE:WEIGHT,...: a mix; its smallest and largest sizes bound buffers, MTU and ceiling checks. */
static void parse_sizes(const char *s, struct send_options *opt)
{
	const char *why = size_mix_parse(s, PG_FRAME_MIN, PG_FRAME_MAX, &opt->mix);

	if (why)
		bad_option("--sizes", s, "%s (sizes %u..%u bytes, weights 1..%u in all, at most %u sizes)",
			   why, PG_FRAME_MIN, PG_FRAME_MAX, SIZE_MIX_WEIGHT_MAX, SIZE_MIX_MAX);
	opt->size_min = opt->size_max = opt->mix.size[0];
	for (unsigned i = 1; i < opt->mix.count; i++) {
		if (opt->mix.size[i] < opt->size_min)
			opt->size_min = opt->mix.size[i];
		if (opt->mix.size[i] > opt->size_max)
			opt->size_max = opt->mix.size[i];
	}
	/* One size is no mix: the plain path (and GSO) sends it. */
	if (opt->mix.count == 1)
		opt->mix.count = 0;
}

/* HOST:PORT or [IPV6]:PORT. An IPv6 literal needs brackets, or its last group would read as
 * the port. */
static void parse_dst(const char *s, struct send_options *opt)
{
	struct pg_hostport hp;
	const char *why = pg_parse_hostport(s, &hp, false);

	if (why)
		bad_option("--dst", s, "%s", why);
	memcpy(opt->dst_host, hp.host, sizeof(opt->dst_host));
	memcpy(opt->dst_port, hp.port, sizeof(opt->dst_port));
	opt->dst = s;
}

/* Six hex pairs separated by ':' (or '-'). */
static void parse_mac(const char *s, struct send_options *opt)
{
	unsigned b[6];
	char sep[5], tail;

	if (sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &sep[0], &b[1], &sep[1], &b[2],
		   &sep[2], &b[3], &sep[3], &b[4], &sep[4], &b[5], &tail) != 11 ||
	    strlen(s) != 17)
		bad_option("--dst-mac", s, "expected a MAC address such as 02:00:00:00:00:02");
	for (int i = 0; i < 5; i++)
		if (sep[i] != ':' && sep[i] != '-')
			bad_option("--dst-mac", s, "expected a MAC address such as 02:00:00:00:00:02");
	for (int i = 0; i < 6; i++)
		opt->dst_mac[i] = (uint8_t)b[i];
	opt->dst_mac_given = true;
}

static void apply_option(int code, const char *arg, struct send_options *opt)
{
	switch (code) {
	case OPT_DST:
		parse_dst(arg, opt);
		break;
	case OPT_RATE:
		opt->rate_mbps = parse_double("--rate", arg, "a rate in Mbit/s, e.g. 100 or 0.5");
		opt->rate_given = true;
		break;
	case OPT_PPS:
		opt->pps = parse_double("--pps", arg, "frames per second, e.g. 10000");
		if (opt->pps <= 0)
			bad_option("--pps", arg, "the packet rate must be > 0 frames per second");
		break;
	case OPT_MAX_RATE:
		opt->max_rate_mbps = parse_double("--max-rate", arg, "a rate in Mbit/s, e.g. 100 or 0.5");
		if (opt->max_rate_mbps <= 0)
			bad_option("--max-rate", arg, "the ceiling must be > 0 Mbit/s (leave it out for none)");
		break;
	case OPT_DURATION:
		opt->duration_s = parse_double("--duration", arg, "seconds, e.g. 10 or 2.5");
		if (opt->duration_s <= 0)
			bad_option("--duration", arg, "the measured duration must be > 0 seconds");
		break;
	case OPT_WARMUP:
		opt->warmup_s = parse_double("--warmup", arg, "seconds, e.g. 1 or 0.5");
		if (opt->warmup_s < 0)
			bad_option("--warmup", arg, "the warm-up must be >= 0 seconds");
		break;
	case OPT_FLOWS:
		opt->flows = (unsigned)parse_uint("--flows", arg, 1, SEND_FLOWS_MAX, "the number of flows");
		break;
	case OPT_SIZE:
		if (opt->mix.count || opt->sizes_given)
			bad_option("--size", arg, "give --size or --sizes, not both");
		parse_size(arg, opt);
		break;
	case OPT_SIZES:
		if (opt->size_given)
			bad_option("--sizes", arg, "give --size or --sizes, not both");
		parse_sizes(arg, opt);
		opt->sizes_given = true;
		break;
	case OPT_RANDOM_PAYLOAD:
		opt->random_payload = true;
		break;
	case OPT_LATENCY:
		opt->latency = true;
		break;
	case OPT_TAG:
		opt->tag = (uint32_t)parse_uint("--tag", arg, 0, UINT32_MAX, "the tag");
		break;
	case OPT_BATCH:
		opt->batch = (unsigned)parse_uint("--batch", arg, 1, SEND_BATCH_MAX, "the batch size");
		opt->batch_given = true;
		break;
	case OPT_MAX_PACKETS:
		opt->max_packets = parse_uint("--max-packets", arg, 0, UINT64_MAX, "the packet cap");
		break;
	case OPT_INTERFACE:
		if (arg[0] == '\0' || strlen(arg) > SEND_IFNAME_MAX || strchr(arg, '/') || strchr(arg, ' '))
			bad_option("--interface", arg, "expected an interface name of 1..%u characters",
				   SEND_IFNAME_MAX);
		opt->interface = arg;
		break;
	case OPT_DST_MAC:
		parse_mac(arg, opt);
		break;
	case OPT_NO_GSO:
		opt->gso = false;
		break;
	case OPT_ONE_WAY:
		opt->one_way = true;
		break;
	case OPT_CLOCK_OFFSET: {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(arg, &end, 10);
		if (end == arg || *end != '\0' || errno == ERANGE || v > PG_OW_OFFSET_MAX_NS ||
		    v < -PG_OW_OFFSET_MAX_NS)
			bad_option("--clock-offset-ns", arg, "expected whole nanoseconds within %lld..%lld",
				   -PG_OW_OFFSET_MAX_NS, PG_OW_OFFSET_MAX_NS);
		opt->clock_offset_ns = v;
		opt->clock_declared = true;
		break;
	}
	case OPT_THREADS:
		opt->threads = (unsigned)parse_uint("--threads", arg, 1, SEND_THREADS_MAX,
						    "the number of threads");
		break;
	case OPT_INTERVAL_MS:
		opt->interval_ms = (unsigned)parse_uint("--interval-ms", arg, INTERVAL_MS_MIN,
							INTERVAL_MS_MAX, "the interval");
		break;
	}
}

/* Combinations, checked once every option is known. */
static void check_combinations(const struct send_options *opt)
{
	char text[32];

	if (!opt->dst)
		bad_option("--dst", NULL, "required: HOST:PORT, e.g. 127.0.0.1:9 or [::1]:9");
	if (opt->latency && opt->batch != 1 && opt->batch_given) {
		snprintf(text, sizeof(text), "%u", opt->batch);
		bad_option("--batch", text,
			   "--latency sends and stamps one packet per call: use --batch 1 or leave it out");
	}
	if (opt->max_rate_mbps > 0 && opt->rate_mbps > opt->max_rate_mbps) {
		snprintf(text, sizeof(text), "%g", opt->rate_mbps);
		bad_option("--rate", text, "above --max-rate %g Mbit/s", opt->max_rate_mbps);
	}
	if (opt->pps > 0 && opt->rate_given)
		bad_option("--pps", NULL, "give --rate or --pps, not both");
	/* The ceiling is on bits: a packet rate counts at the largest frame, so it cannot walk
	 * around the ceiling with a size range. */
	if (opt->max_rate_mbps > 0 && pacer_pps_mbps(opt->pps, opt->size_max) > opt->max_rate_mbps) {
		snprintf(text, sizeof(text), "%g", opt->pps);
		bad_option("--pps", text, "%g frames/s of up to %u bytes are above --max-rate %g Mbit/s",
			   opt->pps, opt->size_max, opt->max_rate_mbps);
	}
	if (opt->one_way && opt->size_min < ONE_WAY_FRAME_MIN(PG_IPV4_OVERHEAD)) {
		snprintf(text, sizeof(text), "%u", opt->size_min);
		bad_option("--size", text,
			   "--one-way needs frames of at least %u bytes (%u of headers, the %u-byte test "
			   "header, the %u-byte one-way block)",
			   ONE_WAY_FRAME_MIN(PG_IPV4_OVERHEAD), PG_IPV4_OVERHEAD, PG_HEADER_BYTES,
			   PG_OW_BYTES);
	}
	if (opt->clock_declared && !opt->one_way)
		bad_option("--clock-offset-ns", NULL, "only one-way figures use it: add --one-way");
	/* Flows are split between the threads, none shared: each needs one at least. */
	if (opt->threads > opt->flows) {
		snprintf(text, sizeof(text), "%u", opt->threads);
		bad_option("--threads", text, "each thread sends its own flows: needs --flows %u or more",
			   opt->threads);
	}
	if (opt->max_packets > 0 && opt->max_packets < opt->threads) {
		snprintf(text, sizeof(text), "%" PRIu64, opt->max_packets);
		bad_option("--max-packets", text, "the cap is split between the threads: needs at "
			   "least one packet per thread (--threads %u)", opt->threads);
	}
	if (opt->dst_mac_given && !opt->interface)
		bad_option("--dst-mac", NULL, "only raw mode uses it: add --interface IF");
	if (opt->warmup_s + opt->duration_s > RUN_MAX_S) {
		snprintf(text, sizeof(text), "%g", opt->duration_s);
		bad_option("--duration", text, "warm-up + duration must not exceed %g seconds",
			   RUN_MAX_S);
	}
}

void send_options_parse(int argc, char **argv, struct send_options *opt)
{
	int code;

	*opt = DEFAULTS;
	opterr = 0; /* every message is ours, in the one-line format */
	while ((code = getopt_long(argc, argv, "+:hV", LONG_OPTIONS, NULL)) != -1) {
		switch (code) {
		case 'h':
			print_help();
			exit(PG_EXIT_OK);
		case 'V':
			printf("pktgen-emit %s\n", PG_VERSION);
			exit(PG_EXIT_OK);
		case ':':
			bad_option(argv[optind - 1], NULL, "missing value");
		case '?':
			/* optopt: a letter for a short option, our code for a long option given a value
			 * it does not take, 0 for an unknown long option */
			if (optopt > 0 && optopt < 128)
				pg_fail(PG_EXIT_USAGE, "unknown option '-%c' (see --help)", optopt);
			if (optopt >= OPT_DST)
				pg_fail(PG_EXIT_USAGE, "%s: this option takes no value", argv[optind - 1]);
			pg_fail(PG_EXIT_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
		default:
			apply_option(code, optarg, opt);
		}
	}
	if (optind < argc)
		pg_fail(PG_EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
	check_combinations(opt);
	if (opt->latency)
		opt->batch = 1;
	/* Sizes are uniform in [MIN, MAX], or a mix: pacing bytes at the mean frame gives pps on average. */
	opt->size_mean = opt->mix.count ? size_mix_mean(&opt->mix) : (opt->size_min + opt->size_max) / 2.0;
	if (opt->pps > 0)
		opt->rate_mbps = pacer_pps_mbps(opt->pps, opt->size_mean);
	/* The ceiling holds for "as fast as possible" too: it is paced like any rate, so no send
	 * path (GSO, raw, many flows) goes above it by more than the pacer's bucket. */
	if (opt->max_rate_mbps > 0 && opt->rate_mbps <= 0) {
		opt->rate_mbps = opt->max_rate_mbps;
		opt->rate_capped = true;
	}
}

void send_options_check_family(const struct send_options *opt, int family)
{
	char text[32];

	if (family == AF_INET6 && opt->interface)
		bad_option("--interface", opt->interface,
			   "raw mode builds IPv4 frames only: --dst %s is IPv6", opt->dst);

	if (family == AF_INET6 && opt->one_way && opt->size_min < ONE_WAY_FRAME_MIN(PG_IPV6_OVERHEAD)) {
		snprintf(text, sizeof(text), "%u", opt->size_min);
		bad_option("--size", text,
			   "--one-way over IPv6 needs frames of at least %u bytes (%u of headers, the "
			   "%u-byte test header, the %u-byte one-way block)",
			   ONE_WAY_FRAME_MIN(PG_IPV6_OVERHEAD), PG_IPV6_OVERHEAD, PG_HEADER_BYTES,
			   PG_OW_BYTES);
	}
	if (family != AF_INET6 || opt->size_min >= PG_IPV6_OVERHEAD + PG_HEADER_BYTES)
		return;
	snprintf(text, sizeof(text), "%u", opt->size_min);
	bad_option("--size", text,
		   "over IPv6 a frame must be at least %u bytes (%u bytes of headers + the %u-byte "
		   "test header)",
		   PG_IPV6_OVERHEAD + PG_HEADER_BYTES, PG_IPV6_OVERHEAD, PG_HEADER_BYTES);
}
