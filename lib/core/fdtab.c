#include "fdtab.h"

#include <fcntl.h>

#include "log.h"

_Atomic uint8_t t64_fds[T64_FD_MAX];

/*
 * t64_fd_set replaces the flags of fd. Returns 0, or -1 when fd is outside
 * the table (nothing stored). No errno.
 */
int t64_fd_set(int fd, unsigned flags)
{
	if ((unsigned)fd >= T64_FD_MAX)
		return -1;
	atomic_store_explicit(&t64_fds[fd], (uint8_t)flags,
			      memory_order_relaxed);
	return 0;
}

/* t64_fd_or adds flags to fd's. Returns nothing; no errno. */
void t64_fd_or(int fd, unsigned flags)
{
	if ((unsigned)fd < T64_FD_MAX)
		atomic_fetch_or_explicit(&t64_fds[fd], (uint8_t)flags,
					 memory_order_relaxed);
}

/*
 * t64_fd_forget clears fd's state after the program closed or replaced it;
 * if it was the debug file, the library stops writing there. No errno.
 */
void t64_fd_forget(int fd)
{
	int logfd = fd;

	t64_fd_set(fd, 0);
	atomic_compare_exchange_strong(&t64_log_fd, &logfd, -1);
}

/*
 * t64_fd_copy gives fd `to` the state of `from` (dup): a duplicate of a
 * converted socket is converted. No errno.
 */
void t64_fd_copy(int from, int to)
{
	t64_fd_forget(to);
	t64_fd_set(to, t64_fd_get(from));
}

/*
 * t64_fd_after_fcntl keeps the table right after fcntl(fd, cmd) returned
 * rc: F_DUPFD/F_DUPFD_CLOEXEC make rc a duplicate of fd. No errno.
 */
void t64_fd_after_fcntl(int fd, int cmd, int rc)
{
	if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		t64_fd_copy(fd, rc);
}
