/*
 * Where the stand-in table lives (docs/DESIGN.md, "Stand-in pool"): fork
 * keeps a MAP_SHARED mapping; exec does not, so the table lives in a
 * sealed memfd left open across exec (not close-on-exec) whose number
 * TNAT64_POOL_FD names. A new program image checks that the fd is still
 * that memfd before mapping it; anything else gets a fresh table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pool/pooltab.h"

#include "base/real.h"
#include "pool/pool.h"

#define SEALS (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)
#define HIGH_FD 512 /* out of the way of programs that expect low numbers */
#define FD_VAR "TNAT64_POOL_FD"

_Atomic(struct t64_table *) t64_pool_table;
static int made_fd = -1; /* a memfd this process made and has to publish */

/*
 * t64_pool_fresh maps a new, zeroed table only forked children share.
 * NULL when mmap fails.
 */
struct t64_table *t64_pool_fresh(void)
{
	struct t64_table *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return t == MAP_FAILED ? NULL : t;
}

/*
 * kfcntl: the real fcntl (ours is a hook, and this fd is none of its
 * business). Returns its result, or -1 with errno ENOSYS without one.
 */
static int kfcntl(int fd, int cmd, long arg)
{
	t64_fn_fcntl *real = T64_REAL(fcntl);

	return real != NULL ? real(fd, cmd, arg) : -1;
}

/* map maps the table in memfd fd. NULL when mmap fails. */
static struct t64_table *map(int fd)
{
	struct t64_table *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0);

	return t == MAP_FAILED ? NULL : t;
}

/*
 * inherited maps the table named by TNAT64_POOL_FD when that fd is still
 * what a tnat64 process made: a regular file of exactly the table's size
 * sealed exactly as we seal it, open read-write. An fd the program closed,
 * or reused for something else, fails the check. NULL otherwise.
 */
static struct t64_table *inherited(void)
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
	    st.st_size != (off_t)sizeof(struct t64_table) ||
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
static struct t64_table *made(int *fdp)
{
#ifdef SYS_memfd_create
	int fd = (int)syscall(SYS_memfd_create, "tnat64-pool", MFD_ALLOW_SEALING);
#else
	int fd = -1;
#endif
	int high;
	struct t64_table *t;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)sizeof *t) < 0 ||
	    kfcntl(fd, F_ADD_SEALS, SEALS) < 0 || (t = map(fd)) == NULL) {
		t64_close(fd);
		return NULL;
	}
	if (fd < HIGH_FD && (high = kfcntl(fd, F_DUPFD, HIGH_FD)) >= 0) {
		t64_close(fd);
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
	struct t64_table *t, *none = NULL;

	if (atomic_load_explicit(&t64_pool_table, memory_order_acquire))
		return;
	secure = getauxval(AT_SECURE) != 0;
	t = secure ? NULL : inherited();
	if (t == NULL && !secure)
		t = made(&fd);
	if (t == NULL)
		t = t64_pool_fresh();
	if (t != NULL &&
	    !atomic_compare_exchange_strong(&t64_pool_table, &none, t)) {
		munmap(t, sizeof *t);
		if (fd >= 0)
			t64_close(fd);
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
