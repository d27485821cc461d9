/* sendmsg(): an IPv4 destination on a converted socket (TCP Fast Open). */
#include <netinet/in.h>

#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * sendmsg_logic sends msg on converted socket fd; an AF_INET msg_name is
 * translated as connect would (first method, no fallback) in a copy of the
 * header. Returns the bytes sent, or -1 with the kernel's errno.
 */
static ssize_t sendmsg_logic(t64_fn_sendmsg *real, int fd,
			     const struct msghdr *msg, int flags)
{
	struct sockaddr_in6 sin6;
	struct msghdr m;

	T64_DEBUG(2, "sendmsg(%d, %#x)", fd, flags);
	if (!t64_dest6(fd, msg->msg_name, msg->msg_namelen, &sin6))
		return real(fd, msg, flags);
	m = *msg;
	m.msg_name = &sin6;
	m.msg_namelen = sizeof sin6;
	return real(fd, &m, flags);
}

/*
 * sendmsg sends like the real sendmsg(); converted sockets go through
 * sendmsg_logic. Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendmsg sendmsg(T64_SIG_sendmsg)
{
	t64_fn_sendmsg *real = T64_REAL(sendmsg);

	if (real == NULL)
		return -1;
	if (t64_busy || msg == NULL || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, msg, flags);
	return sendmsg_logic(real, fd, msg, flags);
}
