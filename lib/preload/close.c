/* close(): the fd's state is forgotten, so a reused fd starts clean. */
#include "sock/fdtab.h"
#include "base/real.h"

/*
 * close forgets fd's state, then closes like the real close(). Forgetting
 * first: once the kernel frees the number, another thread's socket() may
 * get it and mark it. Returns 0, or -1 with the real call's errno.
 */
T64_EXPORT T64_RET_close close(T64_SIG_close)
{
	t64_fn_close *real = T64_REAL(close);

	if (real == NULL)
		return -1;
	t64_fd_forget(fd);
	return real(fd);
}
