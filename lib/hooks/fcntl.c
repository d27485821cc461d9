/* fcntl(): F_DUPFD and F_DUPFD_CLOEXEC duplicates keep the state. */
#include <stdarg.h>

#include "../core/fdtab.h"
#include "../core/real.h"

/*
 * fcntl does what the real fcntl() does with the one optional argument
 * (read as a pointer-sized value, as every fcntl command passes an int or a
 * pointer); a duplicate gets fd's state. Returns the real call's result,
 * -1 with its errno.
 */
T64_EXPORT T64_RET_fcntl fcntl(T64_SIG_fcntl)
{
	t64_fn_fcntl *real = T64_REAL(fcntl);
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
