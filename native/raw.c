// SPDX-License-Identifier: MIT
/* Raw mode of `send`: the AF_PACKET socket, the route and the neighbour (see raw.h). */

#define _GNU_SOURCE

#include "raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "pktgen-emit.h"

#define SNDBUF_BYTES (4 << 20)
#define NEIGH_WAIT_MS 1000
#define NEIGH_PROBE_EVERY_MS 100

/* The main routing table's choice for dst (host byte order): interface and next hop. */
struct route {
	char ifname[IF_NAMESIZE];
	uint32_t next_hop;
	bool found;
};

static struct route route_lookup(uint32_t dst)
{
	struct route best = {.found = false};
	int best_len = -1;
	unsigned best_metric = 0;
	char line[512];
	FILE *f = fopen("/proc/net/route", "re");

	if (!f)
		pg_fail(PG_EXIT_FAILURE, "/proc/net/route: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char ifname[IF_NAMESIZE];
		unsigned dest, gw, flags, refcnt, use, metric, mask;
		int len;

		/* Addresses are printed as the hex of the network-order word, read back the same. */
		if (sscanf(line, "%15s %x %x %x %u %u %u %x", ifname, &dest, &gw, &flags, &refcnt, &use,
			   &metric, &mask) != 8 ||
		    !(flags & RTF_UP) || (htonl(dst) & mask) != dest)
			continue;
		len = __builtin_popcount(mask);
		if (len < best_len || (len == best_len && metric >= best_metric))
			continue;
		best_len = len;
		best_metric = metric;
		memcpy(best.ifname, ifname, sizeof(best.ifname));
		best.next_hop = flags & RTF_GATEWAY ? ntohl(gw) : dst;
		best.found = true;
	}
	fclose(f);
	return best;
}

/* The MAC of ip (host byte order) on ifname in the neighbour table, if it is resolved. */
static bool neighbour_lookup(uint32_t ip, const char *ifname, uint8_t mac[6])
{
	char line[512], want[INET_ADDRSTRLEN];
	struct in_addr a = {.s_addr = htonl(ip)};
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "re");

	if (!f)
		pg_fail(PG_EXIT_FAILURE, "/proc/net/arp: %s", strerror(errno));
	inet_ntop(AF_INET, &a, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f)) {
		char addr[64], hw[64], mask[64], dev[IF_NAMESIZE];
		unsigned type, flags, b[6];

		if (sscanf(line, "%63s %x %x %63s %63s %15s", addr, &type, &flags, hw, mask, dev) != 6 ||
		    strcmp(addr, want) != 0 || strcmp(dev, ifname) != 0 || !(flags & ATF_COM) ||
		    sscanf(hw, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
			continue;
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)b[i];
		found = true;
	}
	fclose(f);
	return found;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};

	nanosleep(&ts, NULL);
}

/* Looks the next hop up; when unresolved, a zero-length datagram on probe_fd makes the kernel
 * resolve it (a reflector drops it: it has no test header). */
static void resolve_mac(const struct send_options *opt, uint32_t hop, int probe_fd, uint8_t mac[6])
{
	char text[INET_ADDRSTRLEN];
	struct in_addr a = {.s_addr = htonl(hop)};

	for (int waited = 0; waited <= NEIGH_WAIT_MS; waited += 5) {
		if (neighbour_lookup(hop, opt->interface, mac))
			return;
		if (waited % NEIGH_PROBE_EVERY_MS == 0 && send(probe_fd, "", 0, MSG_DONTWAIT) < 0 &&
		    errno != ECONNREFUSED && errno != EAGAIN)
			pg_fail(PG_EXIT_FAILURE, "send (neighbour probe to %s): %s", opt->dst,
				strerror(errno));
		sleep_ms(5);
	}
	inet_ntop(AF_INET, &a, text, sizeof(text));
	pg_fail(PG_EXIT_UNSUPPORTED,
		"--interface %s: the MAC address of %s is not in the neighbour table after %d ms: "
		"pass --dst-mac", opt->interface, text, NEIGH_WAIT_MS);
}

static void interface_info(int fd, const struct send_options *opt, int *ifindex, uint8_t mac[6],
			   bool *loopback)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", opt->interface);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		pg_fail(errno == ENODEV ? PG_EXIT_USAGE : PG_EXIT_FAILURE, "--interface %s: %s",
			opt->interface, errno == ENODEV ? "no such interface" : strerror(errno));
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		pg_fail(PG_EXIT_FAILURE, "--interface %s: SIOCGIFHWADDR: %s", opt->interface,
			strerror(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK)
		pg_fail(PG_EXIT_UNSUPPORTED, "--interface %s: not an Ethernet interface (type %u)",
			opt->interface, ifr.ifr_hwaddr.sa_family);
	*loopback = ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

int raw_open(struct raw_path *raw, const struct send_options *opt,
	     const struct sockaddr_storage *dst, int probe_fd)
{
	const struct sockaddr_in *to = (const struct sockaddr_in *)dst;
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	uint8_t src_mac[6], dst_mac[6] = {0};
	uint32_t dst_ip = ntohl(to->sin_addr.s_addr);
	int ifindex, one = 1, buf = SNDBUF_BYTES;

	memset(raw, 0, sizeof(*raw));
	raw->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (raw->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return EPERM;
		pg_fail(PG_EXIT_FAILURE, "socket(AF_PACKET): %s", strerror(errno));
	}
	interface_info(raw->fd, opt, &ifindex, src_mac, &raw->loopback);
	if (getsockname(probe_fd, (struct sockaddr *)&from, &from_len))
		pg_fail(PG_EXIT_FAILURE, "getsockname: %s", strerror(errno));
	if (raw->loopback) {
		/* lo carries an all-zero Ethernet header and reaches only this host's addresses. */
		if ((dst_ip >> 24) != 127)
			pg_fail(PG_EXIT_USAGE, "--interface %s: a loopback interface reaches 127.0.0.0/8 "
				"only, not --dst %s", opt->interface, opt->dst);
	} else {
		struct route r = route_lookup(dst_ip);

		if (!r.found || strcmp(r.ifname, opt->interface) != 0)
			pg_fail(PG_EXIT_USAGE, "--interface %s: the route to %s leaves through %s",
				opt->interface, opt->dst, r.found ? r.ifname : "no interface (no route)");
		if (opt->dst_mac_given)
			memcpy(dst_mac, opt->dst_mac, 6);
		else
			resolve_mac(opt, r.next_hop, probe_fd, dst_mac);
	}
	if (setsockopt(raw->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		pg_warn("setsockopt(PACKET_QDISC_BYPASS): %s: frames go through the qdisc",
			strerror(errno));
	if (setsockopt(raw->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) &&
	    setsockopt(raw->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf)))
		pg_fail(PG_EXIT_FAILURE, "setsockopt(SO_SNDBUF): %s", strerror(errno));
	/* Bound with protocol 0: no receive hook (the socket never reads), and sends need no
	 * address, so the kernel uses the cached device; it takes the protocol from the frame. */
	raw->to = (struct sockaddr_ll){.sll_family = AF_PACKET, .sll_ifindex = ifindex};
	if (bind(raw->fd, (struct sockaddr *)&raw->to, sizeof(raw->to)))
		pg_fail(PG_EXIT_FAILURE, "bind(AF_PACKET, %s): %s", opt->interface, strerror(errno));
	pg_raw_init(&raw->tpl, dst_mac, src_mac, ntohl(from.sin_addr.s_addr), dst_ip,
		    ntohs(to->sin_port));
	return 0;
}

void raw_close(struct raw_path *raw)
{
	if (raw->fd >= 0 && close(raw->fd))
		pg_warn("close: %s", strerror(errno));
	raw->fd = -1;
}
