/* fcntl64(): F_DUPFD and F_DUPFD_CLOEXEC duplicates keep the state. */
#include "sock/fdtab.h"
#include "base/real.h"

/* fcntl64 is a glibc symbol; musl's <fcntl.h> may even #define it to fcntl, whose hook is fcntl.c. */
#ifdef __GLIBC__
/*
 * fcntl64 does what the real fcntl64() does (see t64_fcntl). Returns the real
 * call's result, -1 with its errno.
 */
T64_EXPORT T64_RET_fcntl64 fcntl64(T64_SIG_fcntl64)
{
	t64_fn_fcntl64 *real = T64_REAL(fcntl64);
	va_list ap;
	int rc;

	if (real == NULL)
		return -1;
	va_start(ap, cmd);
	rc = t64_fcntl(real, fd, cmd, ap);
	va_end(ap);
	return rc;
}
#endif
