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
/* 0: nobody reads; else (pid << 1) of the process whose thread reads. */
static _Atomic long reader;
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

/*
 * t64_pref64 returns the prefix of the PREF64 cache (the first entry not
 * expired), or NULL. With refresh, the file is read first when the last
 * read is T64_PREF64_REREAD seconds old: one thread reads, others keep the
 * previous answer (before the first read, they wait for it a bounded time);
 * a child forked mid-read reads itself. Not while TNAT64_DISCOVERY=0, and
 * never inside the library. Without refresh: two loads, no system call
 * (the peer paths). errno preserved.
 */
const struct t64_prefix *t64_pref64(int refresh)
{
	const struct node *n;
	struct timespec ts;

	if (refresh && !t64_busy && t64_state()->discovery &&
	    t64_now() >= atomic_load(&next_read)) {
		long me = (long)getpid() << 1, w = 0;
		int saved = errno;

		if (atomic_compare_exchange_strong(&reader, &w, me) ||
		    (w != me && atomic_compare_exchange_strong(&reader, &w, me))) {
			atomic_store(&next_read, t64_now() + T64_PREF64_REREAD);
			t64_busy++;
			load();
			t64_busy--;
			atomic_store(&loaded, 1);
			atomic_store(&reader, 0);
		} else {
			for (int i = 0; i < 200 && !atomic_load(&loaded); i++)
				t64_wait_a_little();
		}
		errno = saved;
	}
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
