/* recvmsg(): sender and ancillary data of a converted datagram socket in IPv4 form. */
#include <errno.h>
#include <netinet/in.h>

#include "calls/dgram.h"
#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"

/*
 * recvmsg_logic receives on converted datagram socket fd through real
 * with a copy of msg: the sender into our own sockaddr_in6, then to the
 * program's msg_name as sockaddr_in (truncated as POSIX says); when an
 * IPv6 twin option is on or the error queue is read (the kernel reports a
 * dual-stack socket's errors and timestamps in IPv6 form), the control
 * messages into our own bounded buffer, rewritten into the program's in
 * IPv4 form (t64_cmsg_out, MSG_CTRUNC when they do not fit). Returns the bytes received, or -1
 * with errno: the kernel's, or EINVAL/EFAULT for a bad name buffer.
 */
static ssize_t recvmsg_logic(t64_fn_recvmsg *real, int fd, struct msghdr *msg,
			     int flags)
{
	struct sockaddr_in6 sin6 = { 0 };
	_Alignas(struct cmsghdr) unsigned char ctl[T64_CMSG_ROOM];
	int own = ((t64_fd_get(fd) & T64_FD_TWIN) || (flags & MSG_ERRQUEUE)) &&
		  msg->msg_control != NULL && msg->msg_controllen > 0;
	struct msghdr m = *msg;
	ssize_t rc;

	if (msg->msg_name != NULL && (int)msg->msg_namelen < 0) {
		errno = EINVAL;
		return -1;
	}
	m.msg_name = &sin6;
	m.msg_namelen = sizeof sin6;
	if (own) {
		m.msg_control = ctl;
		m.msg_controllen = t64_cmsg_room(msg->msg_controllen);
	}
	rc = real(fd, &m, flags);
	if (rc < 0)
		return rc;
	if (own) {
		t64_cmsg_out(&m, msg, &sin6);
	} else {
		msg->msg_controllen = m.msg_controllen;
		msg->msg_flags = m.msg_flags;
	}
	if (msg->msg_name != NULL &&
	    t64_name_in(&sin6, m.msg_namelen, msg->msg_name,
			&msg->msg_namelen) < 0)
		return -1;
	return rc;
}

/*
 * recvmsg receives like the real recvmsg(); converted datagram sockets go
 * through recvmsg_logic. Returns the bytes received, or -1 with errno.
 */
T64_EXPORT T64_RET_recvmsg recvmsg(T64_SIG_recvmsg)
{
	t64_fn_recvmsg *real = T64_REAL(recvmsg);

	if (real == NULL)
		return -1;
	if (msg == NULL || !t64_recv_converted(fd))
		return real(fd, msg, flags);
	return recvmsg_logic(real, fd, msg, flags);
}
