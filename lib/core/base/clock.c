#include "base/clock.h"

#include <time.h>

/*
 * t64_now returns the monotonic clock in seconds, plus one so that 0 never
 * is a valid time (vDSO, no system call). errno preserved.
 */
uint32_t t64_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
		return 1;
	return (uint32_t)ts.tv_sec + 1;
}

/*
 * t64_ms returns the monotonic clock in milliseconds, plus one (vDSO, no
 * system call). errno preserved.
 */
uint64_t t64_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 1;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + 1;
}

/* t64_wait_a_little sleeps one millisecond (a bounded wait step). */
void t64_wait_a_little(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* t64_ms_since returns the milliseconds elapsed since *t0 (CLOCK_MONOTONIC). */
long t64_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}
