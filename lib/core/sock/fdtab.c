#include "sock/fdtab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "base/log.h"

_Atomic t64_fdflags t64_fds[T64_FD_MAX];
static _Atomic uint64_t t64_fd_pend[T64_FD_MAX];

/*
 * Above the fixed table, fds are kept in chunks of T64_FD_MAX, mapped when
 * an fd of theirs is first marked (a program that raised RLIMIT_NOFILE and
 * holds that many files). Private mappings: a fork copies them as it
 * copies the table. The index array is untouched (no memory) until used.
 */
struct chunk {
	_Atomic t64_fdflags f[T64_FD_MAX];
	_Atomic uint64_t pend[T64_FD_MAX];
};
#define CHUNKS ((unsigned)INT_MAX / T64_FD_MAX)
static _Atomic(struct chunk *) chunks[CHUNKS];

/*
 * chunk_of returns the chunk holding fd (at least T64_FD_MAX), mapping it
 * when make is set. NULL when there is none. errno preserved; one mmap
 * per chunk, the loser of a race unmaps its copy.
 */
static struct chunk *chunk_of(int fd, int make)
{
	unsigned i = (unsigned)fd / T64_FD_MAX - 1;
	struct chunk *c, *none = NULL;
	int saved;

	if (i >= CHUNKS)
		return NULL;
	c = atomic_load_explicit(&chunks[i], memory_order_acquire);
	if (c != NULL || !make)
		return c;
	saved = errno;
	c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = saved;
	if (c == MAP_FAILED)
		return NULL;
	if (!atomic_compare_exchange_strong(&chunks[i], &none, c)) {
		munmap(c, sizeof *c);
		c = none;
	}
	errno = saved;
	return c;
}

_Atomic t64_fdflags *t64_fd_word(int fd, int make)
{
	struct chunk *c;

	if (fd < 0)
		return NULL;
	if (fd < T64_FD_MAX)
		return &t64_fds[fd];
	c = chunk_of(fd, make);
	return c != NULL ? &c->f[fd % T64_FD_MAX] : NULL;
}

_Atomic uint64_t *t64_fd_pend_word(int fd, int make)
{
	struct chunk *c;

	if (fd < 0)
		return NULL;
	if (fd < T64_FD_MAX)
		return &t64_fd_pend[fd];
	c = chunk_of(fd, make);
	return c != NULL ? &c->pend[fd % T64_FD_MAX] : NULL;
}

/* t64_fd_get_high is t64_fd_get for fds outside the fixed table. */
unsigned t64_fd_get_high(int fd)
{
	_Atomic t64_fdflags *w = t64_fd_word(fd, 0);

	return w != NULL ? atomic_load_explicit(w, memory_order_relaxed) : 0;
}

/*
 * t64_fd_set replaces the flags of fd. Returns 0, or -1 when they cannot
 * be kept (a negative fd, no memory for its chunk): nothing stored. No
 * errno.
 */
int t64_fd_set(int fd, unsigned flags)
{
	_Atomic t64_fdflags *w = t64_fd_word(fd, flags != 0);

	if (w == NULL)
		return flags != 0 || fd < 0 ? -1 : 0;
	atomic_store_explicit(w, (t64_fdflags)flags, memory_order_relaxed);
	return 0;
}

/* t64_fd_or adds flags to fd's. Returns nothing; no errno. */
void t64_fd_or(int fd, unsigned flags)
{
	_Atomic t64_fdflags *w = t64_fd_word(fd, 1);

	if (w != NULL)
		atomic_fetch_or_explicit(w, (t64_fdflags)flags,
					 memory_order_relaxed);
}

/* t64_fd_clear removes flags from fd's. Returns nothing; no errno. */
void t64_fd_clear(int fd, unsigned flags)
{
	_Atomic t64_fdflags *w = t64_fd_word(fd, 0);

	if (w != NULL)
		atomic_fetch_and_explicit(w, (t64_fdflags)~flags,
					  memory_order_relaxed);
}

/*
 * t64_fd_forget clears fd's state after the program closed or replaced it;
 * if it was the debug file, the library stops writing there. No errno.
 */
void t64_fd_forget(int fd)
{
	int logfd = fd;

	if (t64_fd_get(fd) & T64_FD_PENDING)
		t64_pending_clear(fd, 0);
	t64_fd_set(fd, 0);
	if (atomic_load_explicit(&t64_log_fd, memory_order_relaxed) == fd)
		atomic_compare_exchange_strong(&t64_log_fd, &logfd, -1);
}

/*
 * t64_fd_forget_range forgets the fds first..last (close_range, closefrom):
 * only those that have state, so a range up to ~0U costs a pass over the
 * fixed table and the chunks that exist. No errno.
 */
void t64_fd_forget_range(unsigned first, unsigned last)
{
	int logfd = atomic_load_explicit(&t64_log_fd, memory_order_relaxed);

	if (last > (unsigned)INT_MAX)
		last = (unsigned)INT_MAX;
	for (unsigned fd = first; fd <= last; fd++) {
		if (fd >= T64_FD_MAX && fd % T64_FD_MAX == 0 &&
		    chunk_of((int)fd, 0) == NULL) {
			if (last - fd < T64_FD_MAX)
				break;
			fd += T64_FD_MAX - 1; /* a chunk never mapped: nothing to forget */
			continue;
		}
		if (t64_fd_get((int)fd) != 0)
			t64_fd_forget((int)fd);
		if (fd == (unsigned)INT_MAX)
			break;
	}
	if (logfd >= 0 && (unsigned)logfd >= first && (unsigned)logfd <= last)
		atomic_compare_exchange_strong(&t64_log_fd, &logfd, -1);
}

/*
 * t64_fd_copy gives fd `to` the state of `from` (dup): a duplicate of a
 * converted socket is converted. A pending NAT64 connect's fallback stays
 * with `from` only (one fd re-connects). No errno.
 */
void t64_fd_copy(int from, int to)
{
	t64_fd_forget(to);
	t64_fd_set(to, t64_fd_get(from) & ~(unsigned)T64_FD_PENDING);
}

/*
 * t64_fcntl does fcntl(fd, cmd, ...) through real (fcntl or fcntl64) with
 * the one optional argument from ap, read as a pointer-sized value (every
 * command passes an int or a pointer); an F_DUPFD/F_DUPFD_CLOEXEC duplicate
 * gets fd's state. Returns the real call's result, -1 with its errno.
 */
int t64_fcntl(t64_fn_fcntl *real, int fd, int cmd, va_list ap)
{
	void *arg = va_arg(ap, void *);
	int rc = real(fd, cmd, arg);

	if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		t64_fd_copy(fd, rc);
	return rc;
}

/* How many fds have T64_FD_PENDING (poll looks only when some do). */
_Atomic int t64_pending_n;

/*
 * t64_pending_clear forgets fd's pending state; old is fd's flags before
 * they were cleared elsewhere (close, dup2), or 0 to clear them here. No errno.
 */
void t64_pending_clear(int fd, unsigned old)
{
	_Atomic t64_fdflags *w = t64_fd_word(fd, 0);

	if (w == NULL)
		return;
	if (old == 0)
		old = atomic_fetch_and(w, (t64_fdflags)~T64_FD_PENDING);
	if (old & T64_FD_PENDING)
		atomic_fetch_sub(&t64_pending_n, 1);
}

/*
 * t64_fd_received forgets the state of the fds msg (just filled by a
 * recvmsg) carries in SCM_RIGHTS: new numbers in this process, whose old
 * state may be stale when the number was closed past our hooks; the
 * inherited-socket probe looks at them afresh. No errno.
 */
void t64_fd_received(const struct msghdr *msg)
{
	struct cmsghdr *c;

	if (msg->msg_control == NULL || msg->msg_controllen < sizeof *c)
		return;
	for (c = CMSG_FIRSTHDR((struct msghdr *)msg); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		const unsigned char *p = CMSG_DATA(c);
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, p + i * sizeof fd, sizeof fd);
			t64_fd_forget(fd);
		}
	}
}
