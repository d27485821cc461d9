/* connect(): an IPv4 destination on a converted socket, through NAT64 or IPv4 (core/calls/connect.c). */
#include "base/real.h"
#include "calls/connect.h"
#include "sock/fdtab.h"

/*
 * connect connects like the real connect(); an IPv4 destination on a
 * converted socket goes through t64_connect_logic. Returns 0, or -1 with
 * errno.
 */
T64_EXPORT T64_RET_connect connect(T64_SIG_connect)
{
	t64_fn_connect *real = T64_REAL(connect);

	if (real == NULL)
		return -1;
	if (!(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, addr, len);
	return t64_connect_logic(real, fd, T64_SA(addr), len);
}
