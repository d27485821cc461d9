#include "profile.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int sc_profiling;
static const char *path;
static _Atomic uint64_t spent[SC_PARTS], calls;

/* sc_profile_start reads TNAT64_SECCOMP_PROFILE, before any thread answers. */
void sc_profile_start(void)
{
	path = getenv("TNAT64_SECCOMP_PROFILE");
	sc_profiling = path != NULL && path[0] != 0;
}

uint64_t sc_clock_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* sc_spent adds the time since `since` (an sc_clock value) to part; SC_HANDLE also counts one call. */
void sc_spent(enum sc_part part, uint64_t since)
{
	if (!sc_profiling)
		return;
	atomic_fetch_add_explicit(&spent[part], sc_clock_now() - since, memory_order_relaxed);
	if (part == SC_HANDLE)
		atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
}

/* sc_profile_write writes the totals (ns) to the file, once, as the supervisor ends. */
void sc_profile_write(void)
{
	char line[256];
	int fd, n;

	if (!sc_profiling)
		return;
	sc_profiling = 0;
	n = snprintf(line, sizeof line,
		     "{\"calls\":%llu,\"wait\":%llu,\"handle\":%llu,\"memory\":%llu,\"fd\":%llu,\"answer\":%llu}\n",
		     (unsigned long long)calls, (unsigned long long)spent[SC_WAIT],
		     (unsigned long long)spent[SC_HANDLE], (unsigned long long)spent[SC_MEMORY],
		     (unsigned long long)spent[SC_FD], (unsigned long long)spent[SC_ANSWER]);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		perror("tnat64: TNAT64_SECCOMP_PROFILE");
	close(fd);
}
