/* fcntl64(): F_DUPFD and F_DUPFD_CLOEXEC duplicates keep the state. */
#include <stdarg.h>

#include "../core/fdtab.h"
#include "../core/real.h"

/*
 * fcntl64 does what the real fcntl64() does with the one optional argument
 * (read as a pointer-sized value, as every fcntl command passes an int or a
 * pointer); a duplicate gets fd's state. Returns the real call's result,
 * -1 with its errno.
 */
T64_EXPORT T64_RET_fcntl64 fcntl64(T64_SIG_fcntl64)
{
	t64_fn_fcntl64 *real = T64_REAL(fcntl64);
	va_list ap;
	void *arg;
	int rc;

	if (real == NULL)
		return -1;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	rc = real(fd, cmd, arg);
	t64_fd_after_fcntl(fd, cmd, rc);
	return rc;
}
