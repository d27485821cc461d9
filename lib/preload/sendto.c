/* sendto(): an IPv4 destination on a converted socket, a ::ffff: one on an IPv6 socket (core/calls/send.c). */
#include "addr/sockaddr.h"
#include "base/real.h"
#include "calls/send.h"
#include "sock/fdtab.h"

/*
 * sendto sends like the real sendto(); converted sockets go through
 * t64_sendto_logic, a ::ffff: destination on another socket through
 * t64_mapped_sendto. Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendto sendto(T64_SIG_sendto)
{
	t64_fn_sendto *real = T64_REAL(sendto);

	if (real == NULL)
		return -1;
	if (T64_SA(addr) == NULL)
		return real(fd, buf, n, flags, addr, len);
	if (t64_fd_get(fd) & T64_FD_CONVERTED)
		return t64_sendto_logic(real, fd, buf, n, flags, T64_SA(addr), len);
	if (t64_is_mapped(T64_SA(addr), len))
		return t64_mapped_sendto(real, fd, buf, n, flags, T64_SA(addr), len);
	return real(fd, buf, n, flags, addr, len);
}
