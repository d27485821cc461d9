/*
 * Where the supervisor's time goes, for `npm run bench`: with
 * TNAT64_SECCOMP_PROFILE=FILE, the time spent in each part of answering
 * is added up and written to FILE as one JSON line when the program ends.
 * Without it, each mark is one load and a branch.
 */
#ifndef T64_SC_PROFILE_H
#define T64_SC_PROFILE_H

#include <stdint.h>

enum sc_part {
	SC_WAIT,   /* in SECCOMP_IOCTL_NOTIF_RECV, waiting for the next call */
	SC_HANDLE, /* the whole answer to one call, the parts below included */
	SC_MEMORY, /* reading and writing the caller's memory */
	SC_FD,     /* our copy of the caller's fd, its mark, closing it */
	SC_ANSWER, /* the answer's ioctl, until this thread runs again */
	SC_PARTS
};

extern int sc_profiling;

void sc_profile_start(void);
void sc_profile_write(void);
uint64_t sc_clock_now(void);
void sc_spent(enum sc_part part, uint64_t since);

/* The time now (ns) when profiling, else 0. */
static inline uint64_t sc_clock(void)
{
	return sc_profiling ? sc_clock_now() : 0;
}

#endif
