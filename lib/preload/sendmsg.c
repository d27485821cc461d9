/* sendmsg(): an IPv4 destination on a converted socket (UDP, TCP Fast Open). */
#include <errno.h>
#include <netinet/in.h>

#include "calls/dgram.h"
#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"
#include "plan/attempt.h"

/*
 * peer6 returns 1 when connected socket fd's peer is a real IPv6 address
 * (NAT64 or a stand-in's peer), 0 otherwise (IPv4, unknown). One real
 * getpeername: only for a message with IPv4 control data to translate.
 * errno preserved.
 */
static int peer6(int fd)
{
	t64_fn_getpeername *real = T64_REAL(getpeername);
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l = sizeof sin6;
	int saved = errno, ok;

	ok = real != NULL && real(fd, (struct sockaddr *)&sin6, &l) == 0 &&
	     sin6.sin6_family == AF_INET6 &&
	     !IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr);
	errno = saved;
	return ok;
}

/*
 * control sets m's control data for a message going by method m6 (1: to
 * an IPv6 address) from the program's msg: its own, or, going to IPv6,
 * the IPv6 forms of its IPv4 options in buf (see t64_cmsg_in; the kernel
 * ignores IPv4 ones there). Returns nothing; no errno.
 */
static void control(struct msghdr *m, const struct msghdr *msg, int m6,
		    unsigned char *buf, size_t room)
{
	ssize_t n = m6 ? t64_cmsg_in(msg, buf, room) : 0;

	m->msg_control = n > 0 ? buf : msg->msg_control;
	m->msg_controllen = n > 0 ? (size_t)n : msg->msg_controllen;
}

/*
 * sendmsg_logic sends msg on converted socket fd; an AF_INET msg_name is
 * translated as connect would (with its fallback, see sendto) in a copy
 * of the header; IPv4 control data (IP_TOS, IP_TTL, IP_PKTINFO) going to
 * an IPv6 address (NAT64, a stand-in's peer, a socket connected to one)
 * is sent in its IPv6 form. Returns the bytes sent, or -1 with the
 * kernel's errno (EHOSTUNREACH for the full pool's 198.19.0.0).
 */
static ssize_t sendmsg_logic(t64_fn_sendmsg *real, int fd,
			     const struct msghdr *msg, int flags)
{
	union {
		struct cmsghdr align;
		unsigned char b[T64_CMSG_ROOM];
	} cbuf;
	struct t64_attempt s;
	int saved = errno;
	struct msghdr m;
	ssize_t rc;
	int k = t64_attempt_send(fd, msg->msg_name, msg->msg_namelen, &s);

	if (k < 0)
		return -1;
	if (k == 0) {
		m = *msg;
		if (msg->msg_name != NULL || msg->msg_control == NULL)
			return real(fd, msg, flags);
		control(&m, msg, 1, cbuf.b, sizeof cbuf.b);
		if (m.msg_control == msg->msg_control || !peer6(fd))
			return real(fd, msg, flags);
		return real(fd, &m, flags);
	}
	m = *msg;
	m.msg_name = &s.sin6;
	m.msg_namelen = sizeof s.sin6;
	control(&m, msg, s.m == T64_NAT64, cbuf.b, sizeof cbuf.b);
	rc = real(fd, &m, flags);
	T64_DEBUG(2, "sendmsg(%d, %#x): %s -> %zd", fd, flags,
		  t64_method_name(s.m), rc);
	if (rc < 0 && t64_attempt_next(&s, errno)) {
		control(&m, msg, s.m == T64_NAT64, cbuf.b, sizeof cbuf.b);
		rc = real(fd, &m, flags);
		T64_DEBUG(1, "sendmsg(%d): fallback %s -> %zd", fd,
			  t64_method_name(s.m), rc);
		if (rc < 0)
			errno = t64_attempt_errno(&s, errno);
	}
	if (rc >= 0) {
		t64_attempt_worked(&s);
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
	if (msg == NULL || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, msg, flags);
	return sendmsg_logic(real, fd, msg, flags);
}
