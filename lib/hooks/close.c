/* close(): the fd's state is forgotten, so a reused fd starts clean. */
#include <errno.h>

#include "../core/fdtab.h"
#include "../core/real.h"

/*
 * close closes like the real close() and forgets fd's state (unless fd was
 * not open). Returns 0, or -1 with the real call's errno.
 */
T64_EXPORT T64_RET_close close(T64_SIG_close)
{
	t64_fn_close *real = T64_REAL(close);
	int rc;

	if (real == NULL)
		return -1;
	rc = real(fd);
	if (rc == 0 || errno != EBADF)
		t64_fd_forget(fd);
	return rc;
}
