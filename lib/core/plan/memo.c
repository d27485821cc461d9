#include "base/clock.h"
#include "plan/memo.h"

#include <stdatomic.h>
#include <time.h>

/*
 * A direct-mapped table of 64-bit words: address (32 bits) | expiry in
 * monotonic seconds (30 bits) | method (2 bits). A word is written and read
 * whole, so threads never see half an entry and fork leaves nothing held.
 */
#define SLOTS 1024
static _Atomic uint64_t memo[SLOTS];

/* slot returns the table index of ip. */
static unsigned slot(uint32_t ip)
{
	return (ip * 2654435761u) >> 22;
}

/*
 * t64_memo_get returns the method remembered for ip, or T64_NONE when there
 * is none or it expired. Lock-free; no errno.
 */
enum t64_method t64_memo_get(uint32_t ip)
{
	uint64_t w = atomic_load_explicit(&memo[slot(ip)], memory_order_relaxed);

	if (w == 0 || (uint32_t)(w >> 32) != ip)
		return T64_NONE;
	if (((uint32_t)w >> 2) <= (t64_now() & 0x3fffffffu))
		return T64_NONE;
	return (enum t64_method)(w & 3);
}

/*
 * t64_memo_put remembers method m for ip for T64_MEMO_TTL seconds (T64_NONE
 * forgets it). Lock-free; no errno.
 */
void t64_memo_put(uint32_t ip, enum t64_method m)
{
	uint32_t exp = (t64_now() + T64_MEMO_TTL) & 0x3fffffffu;
	uint64_t w = m == T64_NONE ? 0 :
				     (uint64_t)ip << 32 | exp << 2 | (unsigned)m;

	atomic_store_explicit(&memo[slot(ip)], w, memory_order_relaxed);
}
