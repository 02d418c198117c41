// SPDX-License-Identifier: MIT
/*
 * pktgen-emit: the packet emitter bundled with pktgen.
 *
 *   pktgen-emit [send] --dst HOST:PORT [options]
 *   pktgen-emit reflect --bind HOST:PORT [options]
 *
 * The first argument names a command when it does not start with '-'; `send` is the default.
 * Each command owns its options, parser and run function, so a new command is one more row of
 * COMMANDS (`reflect` is one). The contract (packet header, exit codes) is in pktgen-emit.h,
 * the user-facing description in README.md.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "oneway.h"
#include "pktgen-emit.h"
#include "reflect.h"
#include "send.h"

static int command_send(int argc, char **argv)
{
	struct send_options opt;

	send_options_parse(argc, argv, &opt);
	return send_run(&opt);
}

struct command {
	const char *name;
	int (*main)(int argc, char **argv); /* argv[0] is the command name */
};

static const struct command COMMANDS[] = {
	{"send", command_send},
	{"reflect", reflect_main},
};

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	/* One line, built first, so concurrent writers never interleave inside it. */
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "pktgen-emit: %s%s\n", prefix, line);
}

noreturn void pg_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(code);
}

void pg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

uint32_t pg_host_clock_id(void)
{
	char id[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = '\0';
		fclose(f);
	}
	/* Unknown: an id no other process will have, so no delay is ever taken as comparable. */
	if (!id[0])
		snprintf(id, sizeof(id), "unknown-%ld-%ld", (long)getpid(), (long)time(NULL));
	return pg_ow_clock_id(id);
}

/*
 * Started with stdin, stdout or stderr closed, the first socket would take that number and
 * receive the reports: hold 0-2 open on /dev/null instead.
 */
static void ensure_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			exit(PG_EXIT_FAILURE); /* nowhere to report it: stderr may be the one missing */
	}
}

/*
 * The helper never outlives the process that started it: a sender would keep putting packets on
 * the wire, a reflector would keep its port and its old allowlist, with nobody to stop either.
 *
 * SIGKILL, not SIGTERM: with the parent gone nobody reads the summary a SIGTERM would still
 * print, and SIGKILL cannot be caught, blocked or delayed by any state the helper is in (before
 * its handlers exist, inside name resolution, in a blocking call, in the drain after the last
 * packet); the kernel closes the sockets. SIGTERM from a live parent still means "interrupted".
 *
 * The parent may die before prctl: then the signal never comes and getppid() already names a
 * reaper. The node passes its pid in PG_PARENT_PID_ENV, which closes that window entirely;
 * without it, getppid() before and after prctl are compared, which covers a death during the
 * call (the standard check), not one between fork and exec.
 */
static void die_with_parent(void)
{
	const char *expected = getenv(PG_PARENT_PID_ENV);
	pid_t parent = getppid();

	if (expected) {
		char *end;
		long value;

		errno = 0;
		value = strtol(expected, &end, 10);
		if (expected[0] < '1' || expected[0] > '9' || *end != '\0' || errno || value > INT_MAX)
			pg_fail(PG_EXIT_USAGE, "%s=%s: expected a process id", PG_PARENT_PID_ENV, expected);
		parent = (pid_t)value;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		pg_fail(PG_EXIT_FAILURE, "prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	if (getppid() != parent)
		pg_fail(PG_EXIT_FAILURE, "the process that started pktgen-emit (pid %ld) is gone: not starting",
			(long)parent);
}

int main(int argc, char **argv)
{
	const char *name = COMMANDS[0].name;
	int shift = 0;

	ensure_standard_fds();
	die_with_parent();

	if (argc > 1 && argv[1][0] != '-') {
		name = argv[1];
		shift = 1;
	}
	for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++) {
		/* With the default command, argv[0] (the program) stands in for the command name. */
		if (strcmp(name, COMMANDS[i].name) == 0)
			return COMMANDS[i].main(argc - shift, argv + shift);
	}
	pg_fail(PG_EXIT_USAGE, "unknown command '%s' (expected: send or reflect; see --help)", name);
}
