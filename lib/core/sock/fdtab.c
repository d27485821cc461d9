#include "sock/fdtab.h"

#include <fcntl.h>

#include "base/log.h"

_Atomic t64_fdflags t64_fds[T64_FD_MAX];
_Atomic uint64_t t64_fd_pend[T64_FD_MAX];

/*
 * t64_fd_set replaces the flags of fd. Returns 0, or -1 when fd is outside
 * the table (nothing stored). No errno.
 */
int t64_fd_set(int fd, unsigned flags)
{
	if ((unsigned)fd >= T64_FD_MAX)
		return -1;
	atomic_store_explicit(&t64_fds[fd], (t64_fdflags)flags,
			      memory_order_relaxed);
	return 0;
}

/* t64_fd_or adds flags to fd's. Returns nothing; no errno. */
void t64_fd_or(int fd, unsigned flags)
{
	if ((unsigned)fd < T64_FD_MAX)
		atomic_fetch_or_explicit(&t64_fds[fd], (t64_fdflags)flags,
					 memory_order_relaxed);
}

/* t64_fd_clear removes flags from fd's. Returns nothing; no errno. */
void t64_fd_clear(int fd, unsigned flags)
{
	if ((unsigned)fd < T64_FD_MAX)
		atomic_fetch_and_explicit(&t64_fds[fd], (t64_fdflags)~flags,
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
	if ((unsigned)fd >= T64_FD_MAX)
		return;
	if (old == 0)
		old = atomic_fetch_and(&t64_fds[fd],
				       (t64_fdflags)~T64_FD_PENDING);
	if (old & T64_FD_PENDING)
		atomic_fetch_sub(&t64_pending_n, 1);
}
