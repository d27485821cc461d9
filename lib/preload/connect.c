/* connect(): an IPv4 destination on a converted socket, a ::ffff: one on an IPv6 socket (core/calls/connect.c). */
#include "addr/sockaddr.h"
#include "base/real.h"
#include "calls/connect.h"
#include "sock/fdtab.h"

/*
 * connect connects like the real connect(); an IPv4 destination on a
 * converted socket goes through t64_connect_logic, a ::ffff: destination
 * on another socket through t64_mapped_connect. Returns 0, or -1 with
 * errno.
 */
T64_EXPORT T64_RET_connect connect(T64_SIG_connect)
{
	t64_fn_connect *real = T64_REAL(connect);

	if (real == NULL)
		return -1;
	if (t64_fd_get(fd) & T64_FD_CONVERTED)
		return t64_connect_logic(real, fd, T64_SA(addr), len);
	if (t64_is_mapped(T64_SA(addr), len))
		return t64_mapped_connect(real, fd, T64_SA(addr), len);
	return real(fd, addr, len);
}
