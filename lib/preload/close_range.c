/* close_range(): the state of every closed fd is forgotten. */
#include "sock/fdtab.h"
#include "base/real.h"

/* glibc (2.34+) has close_range(); musl has no function of that name for programs to call. */
#ifdef __GLIBC__
#include <linux/close_range.h>

/*
 * close_range forgets the state of the fds it is about to close (none with
 * CLOSE_RANGE_CLOEXEC, none when the flags are unknown and the call will
 * fail), then closes like the real close_range(). Returns 0, or -1 with the
 * real call's errno.
 */
T64_EXPORT T64_RET_close_range close_range(T64_SIG_close_range)
{
	t64_fn_close_range *real = T64_REAL(close_range);
	unsigned known = CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC;

	if (real == NULL)
		return -1;
	if (!((unsigned)flags & ~known) && !(flags & CLOSE_RANGE_CLOEXEC))
		t64_fd_forget_range(first, last);
	return real(first, last, flags);
}
#endif
