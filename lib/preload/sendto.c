/* sendto(): an IPv4 destination on a converted socket (UDP, TCP Fast Open). */
#include "base/real.h"
#include "calls/send.h"
#include "sock/fdtab.h"

/*
 * sendto sends like the real sendto(); converted sockets go through
 * t64_sendto_logic (lib/core/calls/send.c). Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendto sendto(T64_SIG_sendto)
{
	t64_fn_sendto *real = T64_REAL(sendto);

	if (real == NULL)
		return -1;
	if (t64_busy || T64_SA(addr) == NULL ||
	    !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, buf, n, flags, addr, len);
	return t64_sendto_logic(real, fd, buf, n, flags, T64_SA(addr), len);
}
