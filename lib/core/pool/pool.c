/*
 * The stand-in pool (docs/DESIGN.md, "Stand-in pool"): IPv6 addresses a
 * program cannot see (native IPv6 peers, looked-up names with no IPv4
 * form) get an IPv4 address from the configured range, and an address
 * from there maps back. Slot i of one fixed table is stand-in net + i, so
 * the way back is an index. The table is shared with the whole process
 * tree (pooltab.c) and filled lock-free: claim a slot, write it, publish
 * it.
 */
#include "pool/pool.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "addr/addr.h"
#include "base/log.h"
#include "pool/pooltab.h"
#include "config/settings.h"

#define DEFAULT_RANGE ((uint64_t)0xffff0000u << 32 | T64_POOL_DEFAULT)

_Atomic uint64_t t64_pool_range;

#define FREE 0u
#define BUSY 1u
#define SET 2u
#define SPIN 4096 /* loads spent waiting for a slot or name being written */
#define YIELDS 64 /* then sched_yield()s: a writer preempted mid-write runs again */

static _Atomic int full_said, other_said;

/* t64_pool_set_range makes net/len (checked by the caller) the range. */
void t64_pool_set_range(uint32_t net, unsigned len)
{
	uint32_t mask = t64_mask_of(len);

	atomic_store(&t64_pool_range, (uint64_t)mask << 32 | (net & mask));
}

/*
 * t64_pool_range_slow takes the range from the settings (read on first
 * use) and returns it, the default while they cannot be read (inside the
 * library before they were). errno preserved.
 */
uint64_t t64_pool_range_slow(void)
{
	uint64_t r = t64_state()->pool_range;

	if (r == 0)
		return DEFAULT_RANGE;
	atomic_store_explicit(&t64_pool_range, r, memory_order_relaxed);
	return r;
}

/* say_range formats the range r (as in t64_pool_range) as "a.b.c.d/LEN". */
static void say_range(uint64_t r, char out[T64_ADDRSTR + 4])
{
	int len = t64_mask_bits((uint32_t)(r >> 32));
	size_t n;

	t64_format4((uint32_t)r, out);
	n = strlen(out);
	out[n] = '/';
	out[n + 1] = (char)('0' + len / 10);
	out[n + 2] = (char)('0' + len % 10);
	out[n + 3] = '\0';
}

/*
 * own replaces table t, made for range r, by a private table for mine (a
 * parent configured differently: slot i there is not mine + i), said once.
 * Returns the table now in use, NULL when none can be made. errno
 * preserved.
 */
static struct t64_table *own(struct t64_table *t, uint64_t r, uint64_t mine)
{
	int saved = errno;
	struct t64_table *n = t64_pool_fresh();
	char a[T64_ADDRSTR + 4], b[T64_ADDRSTR + 4];

	errno = saved;
	if (n == NULL)
		return NULL;
	atomic_store(&n->range, mine);
	if (!atomic_compare_exchange_strong(&t64_pool_table, &t, n)) {
		munmap(n, sizeof *n);
		errno = saved;
		return t; /* another thread did it first */
	}
	if (!atomic_exchange(&other_said, 1)) {
		say_range(r, a);
		say_range(mine, b);
		t64_log(0, "the stand-in table this process inherited is for %s "
			   "but its stand-in range is %s (standin_pool or "
			   "TNAT64_STANDIN_POOL differ): it keeps its own "
			   "stand-ins",
			a, b);
	}
	return n;
}

/*
 * usable returns the table for this process's range in *range, mapping it
 * on first use and claiming it for the range when no process has yet.
 * NULL when there is no table. errno preserved.
 */
static struct t64_table *usable(uint64_t *range)
{
	struct t64_table *t = atomic_load_explicit(&t64_pool_table,
						    memory_order_acquire);
	uint64_t mine = t64_pool_range_now(), r;

	*range = mine;
	if (t == NULL) {
		t64_pool_init();
		t = atomic_load_explicit(&t64_pool_table,
					 memory_order_acquire);
		if (t == NULL)
			return NULL;
	}
	r = atomic_load_explicit(&t->range, memory_order_acquire);
	if (r == mine ||
	    (r == 0 && atomic_compare_exchange_strong(&t->range, &r, mine)) ||
	    r == mine)
		return t;
	return own(t, r, mine);
}

/* head_of returns the inverted first 32 bits of a (a slot's head). */
static uint32_t head_of(const uint8_t a[16])
{
	return ~((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
		 (uint32_t)a[2] << 8 | a[3]);
}

/* home returns the first slot tried for a: FNV-1a of the 16 bytes. */
static uint32_t home(const uint8_t a[16], uint32_t size)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return (h ^ h >> 16) & (size - 1);
}

/*
 * settled waits a bounded time for slot s to stop being written. Returns
 * its head (BUSY when it still is: a writer interrupted by this very
 * signal handler, or a process that died in the middle).
 */
static uint32_t settled(struct t64_slot *s)
{
	uint32_t h = atomic_load_explicit(&s->head, memory_order_acquire);

	for (int i = 0; h == BUSY && i < SPIN; i++)
		h = atomic_load_explicit(&s->head, memory_order_acquire);
	/* On a loaded machine the writer may have lost its CPU between claim
	 * and publish: give it the CPU rather than hand this address a second
	 * stand-in. sched_yield is async-signal-safe; errno is untouched. */
	for (int i = 0; h == BUSY && i < YIELDS; i++) {
		sched_yield();
		h = atomic_load_explicit(&s->head, memory_order_acquire);
	}
	return h;
}

/* full reports once per process that the pool has no free slot left. */
static void full(uint64_t range)
{
	char r[T64_ADDRSTR + 4], n[T64_ADDRSTR];
	int len = t64_mask_bits((uint32_t)(range >> 32));

	if (atomic_exchange(&full_said, 1))
		return;
	say_range(range, r);
	t64_format4((uint32_t)range, n);
	t64_log(0, "the stand-in pool %s is full (%u addresses, never "
		   "reused while the process tree runs): new names get no "
		   "IPv4 address and new IPv6 peers are shown as %s; %s",
		r, (1u << (32 - len)) - 2, n,
		len > (int)T64_POOL_MIN_LEN ?
			"make it larger with a shorter LEN (down to /16, "
			"65534 addresses) in standin_pool = A.B.C.D/LEN "
			"(configuration file) or TNAT64_STANDIN_POOL" :
			"it is the largest possible; start the program "
			"tree afresh");
}

/*
 * record sets the name of slot i to name unless it has one (first name
 * wins) or name does not fit. Lock-free; a writer that dies in the middle
 * leaves the slot without a name.
 */
static void record(struct t64_table *t, uint32_t i, const char *name)
{
	struct t64_name *e = &t->name[i];
	size_t n;
	uint8_t s = FREE;

	if (name == NULL || (n = strnlen(name, T64_POOL_NAME_MAX + 1)) == 0 ||
	    n > T64_POOL_NAME_MAX ||
	    atomic_load_explicit(&e->state, memory_order_relaxed) != FREE ||
	    !atomic_compare_exchange_strong_explicit(&e->state, &s, BUSY,
						     memory_order_acquire,
						     memory_order_relaxed))
		return;
	memcpy(e->text, name, n);
	e->text[n] = '\0';
	atomic_store_explicit(&e->state, SET, memory_order_release);
}

/*
 * find returns the index of the slot holding a, claiming the first free
 * one from its home slot on (linear probing) when there is none; a slot
 * is claimed for good: a mapping is never reused or freed. Index 0 and
 * the range's last are never handed out. Returns 0 when the range is
 * full. Lock-free and async-signal-safe; no allocation.
 */
static uint32_t find(struct t64_table *t, uint64_t range, const uint8_t a[16])
{
	uint32_t size = ~(uint32_t)(range >> 32) + 1;
	uint32_t want = head_of(a), i = home(a, size);

	if (want == FREE || want == BUSY)
		return 0;
	for (uint32_t n = 0; n < size; n++, i = (i + 1) & (size - 1)) {
		struct t64_slot *s = &t->slot[i];
		uint32_t h;

		if (i == 0 || i == size - 1)
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
				return i;
			}
		}
		if (h == want && memcmp(s->rest, a + 4, sizeof s->rest) == 0)
			return i;
	}
	full(range);
	return 0;
}

/*
 * t64_pool_get returns the stand-in (host order) of peer address a, or
 * the range's network address when the pool is full or has no table.
 * Lock-free and async-signal-safe; no allocation; errno preserved.
 */
uint32_t t64_pool_get(const uint8_t a[16])
{
	int saved = errno;
	uint64_t range;
	struct t64_table *t = usable(&range);
	uint32_t i = t ? find(t, range, a) : 0;

	errno = saved;
	return (uint32_t)range | i;
}

/* t64_pool_name_get: see pool.h. */
uint32_t t64_pool_name_get(const uint8_t a[16], const char *name)
{
	int saved = errno;
	uint64_t range;
	struct t64_table *t = usable(&range);
	uint32_t i = t ? find(t, range, a) : 0;

	if (i != 0)
		record(t, i, name);
	errno = saved;
	return i ? (uint32_t)range | i : 0;
}

/*
 * slot_of returns the table and the index of stand-in ip, or NULL when ip
 * is outside the range or its network or last address. errno preserved.
 */
static struct t64_table *slot_of(uint32_t ip, uint32_t *i)
{
	uint64_t range;
	struct t64_table *t;
	uint32_t mask;

	if (!t64_pool_is(ip) || (t = usable(&range)) == NULL)
		return NULL;
	mask = (uint32_t)(range >> 32);
	if ((ip & mask) != (uint32_t)range)
		return NULL;
	*i = ip & ~mask;
	return *i == 0 || *i == ~mask ? NULL : t;
}

/*
 * t64_pool_addr writes into out the IPv6 address stand-in ip (host order)
 * stands for. Returns 1, or 0 when ip is no stand-in in use in this
 * process tree. Lock-free; errno preserved.
 */
int t64_pool_addr(uint32_t ip, uint8_t out[16])
{
	uint32_t i, h;
	struct t64_table *t = slot_of(ip, &i);

	if (t == NULL)
		return 0;
	h = atomic_load_explicit(&t->slot[i].head, memory_order_acquire);
	if (h == FREE || h == BUSY)
		return 0;
	h = ~h;
	out[0] = (uint8_t)(h >> 24);
	out[1] = (uint8_t)(h >> 16);
	out[2] = (uint8_t)(h >> 8);
	out[3] = (uint8_t)h;
	memcpy(out + 4, t->slot[i].rest, sizeof t->slot[i].rest);
	return 1;
}

/* t64_pool_name: see pool.h. Lock-free; errno preserved. */
int t64_pool_name(uint32_t ip, char *out, size_t len)
{
	uint32_t i;
	struct t64_table *t = slot_of(ip, &i);
	struct t64_name *e;
	uint8_t s;
	size_t n;

	if (t == NULL || len == 0)
		return 0;
	e = &t->name[i];
	s = atomic_load_explicit(&e->state, memory_order_acquire);
	for (int k = 0; s == BUSY && k < SPIN; k++)
		s = atomic_load_explicit(&e->state, memory_order_acquire);
	if (s != SET)
		return 0;
	n = strnlen(e->text, sizeof e->text - 1);
	if (n >= len)
		n = len - 1;
	memcpy(out, e->text, n);
	out[n] = '\0';
	return 1;
}

/*
 * t64_standin_sin6_slow (t64_standin_sin6 in route.h, for an address
 * inside the range) builds in *out the real IPv6 address behind stand-in
 * sin (see pool.c), port kept. Returns 1; 0 when sin is no stand-in in use
 * (an ordinary IPv4 destination); -1 with errno EHOSTUNREACH for
 * the range's network address, which peers are shown as when the pool is
 * full (no way back to them). No allocation, no lock; one load.
 */
int t64_standin_sin6_slow(const struct sockaddr_in *sin,
			  struct sockaddr_in6 *out)
{
	uint32_t ip = ntohl(sin->sin_addr.s_addr);

	memset(out, 0, sizeof *out);
	out->sin6_family = AF_INET6;
	out->sin6_port = sin->sin_port;
	if (t64_pool_addr(ip, out->sin6_addr.s6_addr))
		return 1;
	if (ip != t64_pool_full())
		return 0;
	errno = EHOSTUNREACH;
	return -1;
}
