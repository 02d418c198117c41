/* SPDX-License-Identifier: MIT */
/* `pktgen-emit reflect`: the echo side of round-trip measurements (reflect.c). */
#ifndef PKTGEN_REFLECT_H
#define PKTGEN_REFLECT_H

/* Parses argv (argv[0] is "reflect"), serves until SIGINT/SIGTERM; returns the exit code. */
int reflect_main(int argc, char **argv);

#endif
