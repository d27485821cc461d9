/* sendmsg(): an IPv4 destination on a converted socket, a ::ffff: one on an IPv6 socket (core/calls/send.c). */
#include "addr/sockaddr.h"
#include "base/real.h"
#include "calls/send.h"
#include "sock/fdtab.h"

/*
 * sendmsg sends like the real sendmsg(); converted sockets go through
 * t64_sendmsg_logic, a ::ffff: msg_name on another socket through
 * t64_mapped_sendmsg. Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendmsg sendmsg(T64_SIG_sendmsg)
{
	t64_fn_sendmsg *real = T64_REAL(sendmsg);

	if (real == NULL)
		return -1;
	if (msg == NULL)
		return real(fd, msg, flags);
	if (t64_fd_get(fd) & T64_FD_CONVERTED)
		return t64_sendmsg_logic(real, fd, msg, flags);
	if (t64_is_mapped(msg->msg_name, msg->msg_namelen))
		return t64_mapped_sendmsg(real, fd, msg, flags);
	return real(fd, msg, flags);
}
