/* sendmmsg(): IPv4 destinations on a converted socket, ::ffff: ones on an IPv6 socket (core/calls/send.c). */
#include "base/real.h"
#include "calls/send.h"
#include "sock/fdtab.h"

/*
 * sendmmsg sends like the real sendmmsg(); converted sockets go through
 * t64_sendmmsg_logic, others through t64_mapped_sendmmsg (::ffff: names).
 * Returns the messages sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendmmsg sendmmsg(T64_SIG_sendmmsg)
{
	t64_fn_sendmmsg *real = T64_REAL(sendmmsg);

	if (real == NULL)
		return -1;
	if (vec == NULL)
		return real(fd, vec, vlen, flags);
	if (t64_fd_get(fd) & T64_FD_CONVERTED)
		return t64_sendmmsg_logic(real, fd, vec, vlen, flags);
	return t64_mapped_sendmmsg(real, fd, vec, vlen, flags);
}
