/* fcntl(): F_DUPFD and F_DUPFD_CLOEXEC duplicates keep the state. */
#include "sock/fdtab.h"
#include "base/real.h"

/*
 * fcntl does what the real fcntl() does (see t64_fcntl). Returns the real
 * call's result, -1 with its errno.
 */
T64_EXPORT T64_RET_fcntl fcntl(T64_SIG_fcntl)
{
	t64_fn_fcntl *real = T64_REAL(fcntl);
	va_list ap;
	int rc;

	if (real == NULL)
		return -1;
	va_start(ap, cmd);
	rc = t64_fcntl(real, fd, cmd, ap);
	va_end(ap);
	return rc;
}
