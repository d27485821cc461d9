#include "base/clock.h"
#include "prefix/pref64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/common.h"
#include "base/hold.h"
#include "base/log.h"
#include "config/settings.h"
#include "base/real.h"

/*
 * A prefix once published is never freed nor changed: callers keep the
 * pointer past the next re-read (a connect's plan). The list lets a prefix
 * that comes back reuse its node, so memory grows only with the number of
 * distinct prefixes a process ever meets.
 */
struct node {
	struct t64_prefix p;
	const struct node *next;
};

static _Atomic(const struct node *) all;
static _Atomic(const struct node *) current;
static _Atomic int_least64_t current_expires; /* Unix seconds; 0: none */
_Atomic int t64_pref64_any; /* current != NULL, for t64_pref64_peek */
static _Atomic uint32_t next_read;	      /* t64_now() of the next read */
/* 0: nobody reads; else the claim (base/hold.h) of the thread reading. */
static _Atomic uint64_t reader;
static _Atomic int loaded;

/*
 * cache_path returns the file to read: TNAT64_PREF64_FILE (not under
 * AT_SECURE, not empty), copied once, else the default.
 */
static const char *cache_path(void)
{
	static char path[4096];
	static _Atomic int done;
	const char *v;

	if (atomic_load(&done))
		return path[0] ? path : T64_PREF64_FILE;
	v = getauxval(AT_SECURE) ? NULL : getenv("TNAT64_PREF64_FILE");
	if (v != NULL && *v != '\0' && strlen(v) < sizeof path)
		memcpy(path, v, strlen(v) + 1);
	atomic_store(&done, 1);
	return path[0] ? path : T64_PREF64_FILE;
}

/* node_for returns the published node holding p, adding one if needed. */
static const struct node *node_for(const struct t64_prefix *p)
{
	const struct node *head = atomic_load(&all);
	struct node *n;

	for (const struct node *x = head; x != NULL; x = x->next)
		if (t64_prefix_eq(&x->p, p))
			return x;
	n = calloc(1, sizeof *n);
	if (n == NULL)
		return NULL;
	n->p = *p;
	do
		n->next = head;
	while (!atomic_compare_exchange_weak(&all, &head, n));
	return n;
}

/*
 * load reads the cache once: open without following a symlink, a regular
 * file, at most T64_PREF64_MAX bytes (a larger one is refused), and
 * publishes its first unexpired prefix, or none. errno clobbered.
 */
static void load(void)
{
	char buf[T64_PREF64_MAX + 1];
	size_t len = 0;
	struct stat st;
	struct t64_prefix p;
	int64_t exp = 0;
	int fd = open(cache_path(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
					    O_NONBLOCK | O_NOCTTY);
	int r = -1;
	const struct node *n = NULL;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		while (len < sizeof buf) {
			ssize_t k = read(fd, buf + len, sizeof buf - len);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			len += (size_t)k;
		}
		r = t64_pref64_parse(buf, len, (int64_t)time(NULL), &p, &exp);
	}
	if (fd >= 0)
		t64_close(fd);
	if (r == 1 && (n = node_for(&p)) != NULL) {
		atomic_store(&current, n);
		atomic_store(&current_expires, exp);
		atomic_store(&t64_pref64_any, 1);
	} else {
		atomic_store(&t64_pref64_any, 0);
		atomic_store(&current_expires, 0);
		atomic_store(&current, NULL);
	}
	if (r == -1 && fd >= 0)
		T64_DEBUG(1, "PREF64 cache %s is invalid; not used",
			  cache_path());
}

#define LOAD_MS 1000 /* a read of the cache older than this was abandoned (it takes microseconds) */

/* This thread's hold on reading the cache, and the claim it took for that. */
static __thread struct t64_hold hold T64_TLS;
static __thread uint64_t mine T64_TLS;

/*
 * refresh_slow reads the cache when no other thread is reading it (one
 * claim in reader; another process's, an abandoned one of this thread or
 * one older than LOAD_MS is taken over); before the first read the others
 * wait for it at most 200 ms. Not while this thread reads it below us (a
 * signal handler). errno preserved.
 */
static __attribute__((noinline)) void refresh_slow(void)
{
	struct t64_mark *mk = T64_MARK();
	int saved = errno;
	uint64_t w, me;

	if (!t64_hold_take(&hold, mk, 5000))
		return;
	w = atomic_load(&reader);
	me = t64_claim();
	if ((w == 0 || w == mine || t64_claim_foreign(w) || t64_claim_age(w) > LOAD_MS) &&
	    atomic_compare_exchange_strong(&reader, &w, me)) {
		mine = me;
		atomic_store(&next_read, t64_now() + T64_PREF64_REREAD);
		load();
		atomic_store(&loaded, 1);
		atomic_compare_exchange_strong(&reader, &me, 0);
		mine = 0;
	} else {
		for (int i = 0; i < 200 && !atomic_load(&loaded); i++)
			t64_wait_a_little();
	}
	t64_hold_drop(&hold, mk);
	errno = saved;
}

/*
 * t64_pref64 returns the prefix of the PREF64 cache (the first entry not
 * expired), or NULL. With refresh, the file is read first when the last
 * read is T64_PREF64_REREAD seconds old: one thread reads, others keep the
 * previous answer (before the first read, they wait for it a bounded time);
 * a child forked mid-read reads itself (refresh_slow). Not while
 * TNAT64_DISCOVERY=0. Without refresh: two loads, no system call
 * (the peer paths). errno preserved.
 */
const struct t64_prefix *t64_pref64(int refresh)
{
	const struct node *n;
	struct timespec ts;

	if (refresh && t64_now() >= atomic_load(&next_read) && t64_state()->discovery)
		refresh_slow();
	/* The peer paths ask on every datagram: with no cache, one load. */
	n = atomic_load(&current);
	if (n == NULL)
		return NULL;
	/* The coarse clock is read in the vDSO and cannot fail for this id;
	 * errno is untouched. */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) != 0 ||
	    (int64_t)ts.tv_sec >= atomic_load(&current_expires))
		return NULL;
	return &n->p;
}
