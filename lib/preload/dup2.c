/* dup2(): fd2 takes fd's state (its own is forgotten). */
#include "sock/fdtab.h"
#include "base/real.h"

/*
 * dup2 duplicates like the real dup2(); fd2 gets fd's state. Returns fd2,
 * or -1 with the real call's errno.
 */
T64_EXPORT T64_RET_dup2 dup2(T64_SIG_dup2)
{
	t64_fn_dup2 *real = T64_REAL(dup2);
	int rc;

	if (real == NULL)
		return -1;
	rc = real(fd, fd2);
	if (rc >= 0 && fd != fd2)
		t64_fd_copy(fd, rc);
	return rc;
}
