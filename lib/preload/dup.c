/* dup(): the duplicate of a converted socket is converted. */
#include "sock/fdtab.h"
#include "base/real.h"

/*
 * dup duplicates like the real dup(); the new fd gets fd's state. Returns
 * the new fd, or -1 with the real call's errno.
 */
T64_EXPORT T64_RET_dup dup(T64_SIG_dup)
{
	t64_fn_dup *real = T64_REAL(dup);
	int nfd;

	if (real == NULL)
		return -1;
	nfd = real(fd);
	if (nfd >= 0)
		t64_fd_copy(fd, nfd);
	return nfd;
}
