/* Time for the library's caches and bounded waits: no lock, no allocation, async-signal-safe. */
#ifndef T64_CLOCK_H
#define T64_CLOCK_H

#include <stdint.h>
#include <time.h>

uint32_t t64_now(void);
uint64_t t64_ms(void);
void t64_wait_a_little(void);
long t64_ms_since(const struct timespec *t0);

#endif
