/*
 * The stand-in pool (docs/DESIGN.md, "Stand-in pool"): IPv6 addresses a
 * program cannot see (native IPv6 peers, looked-up names with no IPv4
 * form) get an IPv4 address from the configured range, and an address
 * from there maps back. Slot i of one fixed table is stand-in net + i, so
 * the way back is an index. The table is shared with the whole process
 * tree and filled lock-free: claim a slot, write it, publish it.
 *
 * Sharing: fork keeps a MAP_SHARED mapping; exec does not, so the table
 * lives in a sealed memfd left open across exec (not close-on-exec) whose
 * number TNAT64_POOL_FD names. A new program image checks that the fd is
 * still that memfd before mapping it; anything else gets a fresh table.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "state.h"

#define DEFAULT_RANGE ((uint64_t)0xffff0000u << 32 | T64_POOL_DEFAULT)

_Atomic uint64_t t64_pool_range;

/*
 * One slot: the address's first 32 bits stored inverted in `head` (0:
 * free, 1: being written; an inverted 0 or 1 would be ffff:ffff:: or
 * ffff:fffe::, multicast, never a peer or a looked-up address) and the
 * other 12 bytes. 16 bytes, 1 MiB for the slots.
 */
struct slot {
	_Atomic uint32_t head;
	uint8_t rest[12];
};

/* A slot's name: `state` guards `text` (it can be set after the slot). */
struct name {
	_Atomic uint8_t state;
	char text[255];
};

/*
 * The whole table. `range` is the range its slots stand for, set by the
 * first process that uses it: a process configured for another range
 * must not read slot i as its own net + i. Pages are touched only as
 * slots and names fill.
 */
struct table {
	_Atomic uint64_t range;
	uint8_t pad[4096 - sizeof(uint64_t)];
	struct slot slot[T64_POOL_SLOTS];
	struct name name[T64_POOL_SLOTS];
};

/* Other processes use the same words: only lock-free atomics work across them. */
_Static_assert(ATOMIC_CHAR_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2 &&
		       ATOMIC_LLONG_LOCK_FREE == 2,
	       "the shared table needs lock-free atomics");
_Static_assert(sizeof(struct name) == 256, "one name entry is 256 bytes");

#define FREE 0u
#define BUSY 1u
#define SET 2u
#define SPIN 4096 /* loads spent waiting for a slot or name being written */

#define SEALS (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)
#define HIGH_FD 512 /* out of the way of programs that expect low numbers */
#define FD_VAR "TNAT64_POOL_FD"

static _Atomic(struct table *) table;
static _Atomic int full_said, other_said;
static int made_fd = -1; /* a memfd this process made and has to publish */

/* t64_pool_set_range makes net/len (checked by the caller) the range. */
void t64_pool_set_range(uint32_t net, unsigned len)
{
	uint32_t mask = t64_mask_of(len);

	atomic_store(&t64_pool_range, (uint64_t)mask << 32 | (net & mask));
}

/*
 * t64_pool_range_slow reads the settings (which set the range) and returns
 * the range, the default while they cannot be read (inside the library
 * before they were). errno preserved.
 */
uint64_t t64_pool_range_slow(void)
{
	uint64_t r;

	(void)t64_state();
	r = atomic_load_explicit(&t64_pool_range, memory_order_relaxed);
	return r != 0 ? r : DEFAULT_RANGE;
}

/* fresh maps a new, zeroed table only forked children share. NULL when mmap fails. */
static struct table *fresh(void)
{
	struct table *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return t == MAP_FAILED ? NULL : t;
}

/*
 * These fd calls go to the kernel directly: fcntl and close are our hooks
 * when the library is preloaded, and this fd is none of their business.
 */
static int kfcntl(int fd, int cmd, long arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

static void kclose(int fd)
{
	syscall(SYS_close, fd);
}

/* map maps the table in memfd fd. NULL when mmap fails. */
static struct table *map(int fd)
{
	struct table *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);

	return t == MAP_FAILED ? NULL : t;
}

/*
 * inherited maps the table named by TNAT64_POOL_FD when that fd is still
 * what a tnat64 process made: a regular file of exactly the table's size
 * sealed exactly as we seal it, open read-write. An fd the program closed,
 * or reused for something else, fails the check. NULL otherwise.
 */
static struct table *inherited(void)
{
	const char *v = getenv(FD_VAR);
	struct stat st;
	long fd = 0;

	if (v == NULL || *v < '0' || *v > '9' || (v[0] == '0' && v[1] != '\0'))
		return NULL;
	for (; *v >= '0' && *v <= '9' && fd <= 0x7fffffff; v++)
		fd = fd * 10 + (*v - '0');
	if (*v != '\0' || fd > 0x7fffffff ||
	    fstat((int)fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)sizeof(struct table) ||
	    kfcntl((int)fd, F_GET_SEALS, 0) != SEALS ||
	    (kfcntl((int)fd, F_GETFL, 0) & O_ACCMODE) != O_RDWR)
		return NULL;
	return map((int)fd);
}

/*
 * made returns a table in a new sealed memfd, moved to HIGH_FD or above
 * when the fd limit allows, its number in *fdp. NULL when there is no
 * memfd (seccomp, an old kernel) or it cannot be sized or mapped.
 */
static struct table *made(int *fdp)
{
#ifdef SYS_memfd_create
	int fd = (int)syscall(SYS_memfd_create, "tnat64-pool", MFD_ALLOW_SEALING);
#else
	int fd = -1;
#endif
	int high;
	struct table *t;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)sizeof *t) < 0 ||
	    kfcntl(fd, F_ADD_SEALS, SEALS) < 0 || (t = map(fd)) == NULL) {
		kclose(fd);
		return NULL;
	}
	if (fd < HIGH_FD && (high = kfcntl(fd, F_DUPFD, HIGH_FD)) >= 0) {
		kclose(fd);
		fd = high;
	}
	*fdp = fd;
	return t;
}

/*
 * t64_pool_init maps the table unless it is there already: the inherited
 * one, else a new memfd, else (no memfd) an anonymous shared mapping. A
 * setuid/setgid/capability program trusts no inherited fd and leaves none
 * to its children: anything that could write the table could steer its
 * connections. Called by the library's constructor and again on first
 * use; two racing callers keep one table. No allocation; errno preserved;
 * with no table at all there are no stand-ins.
 */
void t64_pool_init(void)
{
	int saved = errno, fd = -1, secure;
	struct table *t, *none = NULL;

	if (atomic_load_explicit(&table, memory_order_acquire) != NULL)
		return;
	secure = getauxval(AT_SECURE) != 0;
	t = secure ? NULL : inherited();
	if (t == NULL && !secure)
		t = made(&fd);
	if (t == NULL)
		t = fresh();
	if (t != NULL && !atomic_compare_exchange_strong(&table, &none, t)) {
		munmap(t, sizeof *t);
		if (fd >= 0)
			kclose(fd);
		fd = -1;
	}
	if (fd >= 0)
		made_fd = fd;
	errno = saved;
}

/*
 * pool_ctor maps the table before main and names a new memfd in the
 * environment, so every program this one runs inherits both (setenv is no
 * business of a hook that may run in a signal handler or a thread).
 */
__attribute__((constructor)) static void pool_ctor(void)
{
	int saved = errno;
	char num[16];
	int n = 0, fd;

	t64_pool_init();
	fd = made_fd;
	if (fd < 0)
		return;
	made_fd = -1;
	do
		num[sizeof num - 1 - ++n] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0);
	num[sizeof num - 1] = '\0';
	setenv(FD_VAR, num + sizeof num - 1 - n, 1);
	errno = saved;
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
static struct table *own(struct table *t, uint64_t r, uint64_t mine)
{
	int saved = errno;
	struct table *n = fresh();
	char a[T64_ADDRSTR + 4], b[T64_ADDRSTR + 4];

	errno = saved;
	if (n == NULL)
		return NULL;
	atomic_store(&n->range, mine);
	if (!atomic_compare_exchange_strong(&table, &t, n)) {
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
static struct table *usable(uint64_t *range)
{
	struct table *t = atomic_load_explicit(&table, memory_order_acquire);
	uint64_t mine = t64_pool_range_now(), r;

	*range = mine;
	if (t == NULL) {
		t64_pool_init();
		t = atomic_load_explicit(&table, memory_order_acquire);
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
static uint32_t settled(struct slot *s)
{
	uint32_t h = atomic_load_explicit(&s->head, memory_order_acquire);

	for (int i = 0; h == BUSY && i < SPIN; i++)
		h = atomic_load_explicit(&s->head, memory_order_acquire);
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
static void record(struct table *t, uint32_t i, const char *name)
{
	struct name *e = &t->name[i];
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
static uint32_t find(struct table *t, uint64_t range, const uint8_t a[16])
{
	uint32_t size = ~(uint32_t)(range >> 32) + 1;
	uint32_t want = head_of(a), i = home(a, size);

	if (want == FREE || want == BUSY)
		return 0;
	for (uint32_t n = 0; n < size; n++, i = (i + 1) & (size - 1)) {
		struct slot *s = &t->slot[i];
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
	struct table *t = usable(&range);
	uint32_t i = t ? find(t, range, a) : 0;

	errno = saved;
	return (uint32_t)range | i;
}

/* t64_pool_name_get: see pool.h. */
uint32_t t64_pool_name_get(const uint8_t a[16], const char *name)
{
	int saved = errno;
	uint64_t range;
	struct table *t = usable(&range);
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
static struct table *slot_of(uint32_t ip, uint32_t *i)
{
	uint64_t range;
	struct table *t;
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
	struct table *t = slot_of(ip, &i);

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
	struct table *t = slot_of(ip, &i);
	struct name *e;
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
