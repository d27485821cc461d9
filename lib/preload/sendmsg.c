/* sendmsg(): an IPv4 destination on a converted socket (UDP, TCP Fast Open). */
#include "base/real.h"
#include "calls/send.h"
#include "sock/fdtab.h"

/*
 * sendmsg sends like the real sendmsg(); converted sockets go through
 * t64_sendmsg_logic (lib/core/calls/send.c). Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendmsg sendmsg(T64_SIG_sendmsg)
{
	t64_fn_sendmsg *real = T64_REAL(sendmsg);

	if (real == NULL)
		return -1;
	if (t64_busy || msg == NULL || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, msg, flags);
	return t64_sendmsg_logic(real, fd, msg, flags);
}
