/* dup3(): fd2 takes fd's state (its own is forgotten). */
#include "sock/fdtab.h"
#include "base/real.h"

/*
 * dup3 duplicates like the real dup3(); fd2 gets fd's state. Returns fd2,
 * or -1 with the real call's errno.
 */
T64_EXPORT T64_RET_dup3 dup3(T64_SIG_dup3)
{
	t64_fn_dup3 *real = T64_REAL(dup3);
	int rc;

	if (real == NULL)
		return -1;
	rc = real(fd, fd2, flags);
	if (rc >= 0)
		t64_fd_copy(fd, rc);
	return rc;
}
