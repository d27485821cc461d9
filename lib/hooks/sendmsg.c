/* sendmsg(): an IPv4 destination on a converted socket (UDP, TCP Fast Open). */
#include <errno.h>
#include <netinet/in.h>

#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * sendmsg_logic sends msg on converted socket fd; an AF_INET msg_name is
 * translated as connect would (with its fallback, see sendto) in a copy
 * of the header. Returns the bytes sent, or -1 with the kernel's errno.
 */
static ssize_t sendmsg_logic(t64_fn_sendmsg *real, int fd,
			     const struct msghdr *msg, int flags)
{
	struct t64_send s;
	int saved = errno;
	struct msghdr m;
	ssize_t rc;

	if (!t64_send_first(fd, msg->msg_name, msg->msg_namelen, &s))
		return real(fd, msg, flags);
	m = *msg;
	m.msg_name = &s.sin6;
	m.msg_namelen = sizeof s.sin6;
	rc = real(fd, &m, flags);
	T64_DEBUG(2, "sendmsg(%d, %#x): %s -> %zd", fd, flags,
		  t64_method_name(s.m), rc);
	if (rc < 0 && t64_send_second(&s, errno)) {
		rc = real(fd, &m, flags);
		T64_DEBUG(1, "sendmsg(%d): fallback %s -> %zd", fd,
			  t64_method_name(s.m), rc);
	}
	if (rc >= 0) {
		t64_send_worked(&s);
		errno = saved;
	}
	return rc;
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
