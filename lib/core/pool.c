/*
 * The stand-in pool (docs/DESIGN.md, "Stand-in pool"): native IPv6 peers get
 * an IPv4 address from 198.19.0.0/16, and an address from there maps back
 * to the peer. Slot i of one fixed table is stand-in 198.19.0.0 + i, so the
 * way back is an index. The table is shared with forked children
 * (MAP_SHARED) and filled lock-free: claim a slot, write it, publish it.
 */
#include "pool.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"

/*
 * One slot: the peer's first 32 bits stored inverted in `head` (0: free,
 * 1: being written; an inverted 0 or 1 would be ffff:ffff:: or
 * ffff:fffe::, multicast, never a peer) and the other 12 bytes. 16 bytes,
 * 1 MiB for the table, touched page by page as slots fill.
 */
struct slot {
	_Atomic uint32_t head;
	uint8_t rest[12];
};

#define FREE 0u
#define BUSY 1u
#define SPIN 4096 /* loads spent waiting for a slot being written */

static _Atomic(struct slot *) table;
static _Atomic int full_said;

/*
 * t64_pool_init maps the table (shared, anonymous, so forked children see
 * the same mappings) unless it is there already. Called by the library's
 * constructor and again on first use; two racing callers keep one table.
 * Async-signal-safe (mmap, atomics). errno preserved; a failed mmap leaves
 * no table (every peer is then shown as 198.19.0.0).
 */
void t64_pool_init(void)
{
	int saved = errno;
	struct slot *t, *none = NULL;

	if (atomic_load_explicit(&table, memory_order_acquire) != NULL)
		return;
	t = mmap(NULL, T64_POOL_SLOTS * sizeof *t, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t != MAP_FAILED &&
	    !atomic_compare_exchange_strong(&table, &none, t))
		munmap(t, T64_POOL_SLOTS * sizeof *t);
	errno = saved;
}

__attribute__((constructor)) static void pool_ctor(void)
{
	t64_pool_init();
}

/* head_of returns the inverted first 32 bits of a (a slot's head). */
static uint32_t head_of(const uint8_t a[16])
{
	return ~((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
		 (uint32_t)a[2] << 8 | a[3]);
}

/* home returns the first slot tried for a: FNV-1a of the 16 bytes, 16 bits. */
static uint32_t home(const uint8_t a[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return (h ^ h >> 16) & (T64_POOL_SLOTS - 1);
}

/*
 * settled waits a bounded time for slot s to stop being written. Returns
 * its head (BUSY when it still is: a writer interrupted by this very
 * signal handler, or a process that died in the middle).
 */
static uint32_t settled(struct slot *s)
{
	uint32_t h = atomic_load_explicit(&s->head, memory_order_acquire);

	for (int i = 0; h == BUSY && i < SPIN; i++)
		h = atomic_load_explicit(&s->head, memory_order_acquire);
	return h;
}

/* full reports once per process that the pool has no free slot left. */
static void full(void)
{
	if (!atomic_exchange(&full_said, 1))
		t64_log(0, "the stand-in pool 198.19.0.0/16 is full (%u IPv6 "
			   "peers): new ones are shown as 198.19.0.0 and "
			   "replies to it fail with EHOSTUNREACH",
			T64_POOL_SLOTS - 2);
}

/*
 * t64_pool_get returns the stand-in (host order) of IPv6 address a: the
 * slot already holding it, else the first free one from its home slot on
 * (linear probing), claimed for good: a mapping is never reused or freed.
 * 198.19.0.0 and 198.19.255.255 are never handed out. Returns T64_POOL_NONE
 * (198.19.0.0) when the pool is full or has no table. Lock-free and
 * async-signal-safe; no allocation; errno preserved.
 */
uint32_t t64_pool_get(const uint8_t a[16])
{
	struct slot *t = atomic_load_explicit(&table, memory_order_acquire);
	uint32_t want = head_of(a), i = home(a);

	if (t == NULL) {
		t64_pool_init();
		t = atomic_load_explicit(&table, memory_order_acquire);
	}
	if (t == NULL || want == FREE || want == BUSY)
		return T64_POOL_NONE;
	for (uint32_t n = 0; n < T64_POOL_SLOTS;
	     n++, i = (i + 1) & (T64_POOL_SLOTS - 1)) {
		struct slot *s = &t[i];
		uint32_t h;

		if (i == 0 || i == T64_POOL_SLOTS - 1)
			continue;
		h = settled(s);
		if (h == FREE) {
			if (!atomic_compare_exchange_strong_explicit(
				    &s->head, &h, BUSY, memory_order_acquire,
				    memory_order_acquire)) {
				h = settled(s); /* another writer won it */
			} else {
				memcpy(s->rest, a + 4, sizeof s->rest);
				atomic_store_explicit(&s->head, want,
						      memory_order_release);
				return T64_POOL_NET | i;
			}
		}
		if (h == want && memcmp(s->rest, a + 4, sizeof s->rest) == 0)
			return T64_POOL_NET | i;
	}
	full();
	return T64_POOL_NONE;
}

/*
 * t64_pool_addr writes into out the IPv6 address stand-in ip (host order)
 * stands for. Returns 1, or 0 when ip is no stand-in in use in this
 * process tree. Lock-free, one load; no errno.
 */
int t64_pool_addr(uint32_t ip, uint8_t out[16])
{
	struct slot *t = atomic_load_explicit(&table, memory_order_acquire);
	uint32_t h;
	struct slot *s;

	if (t == NULL || !t64_pool_is(ip))
		return 0;
	s = &t[ip & (T64_POOL_SLOTS - 1)];
	h = atomic_load_explicit(&s->head, memory_order_acquire);
	if (h == FREE || h == BUSY)
		return 0;
	h = ~h;
	out[0] = (uint8_t)(h >> 24);
	out[1] = (uint8_t)(h >> 16);
	out[2] = (uint8_t)(h >> 8);
	out[3] = (uint8_t)h;
	memcpy(out + 4, s->rest, sizeof s->rest);
	return 1;
}
