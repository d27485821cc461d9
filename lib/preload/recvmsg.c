/* recvmsg(): the sender (and ancillary data) of a converted or mapped datagram socket (core/calls/dgram.c). */
#include "base/real.h"
#include "calls/dgram.h"
#include "sock/fdtab.h"

/*
 * recvmsg receives like the real recvmsg(); converted and mapped datagram
 * sockets go through t64_recvmsg_logic; fds received with SCM_RIGHTS
 * start with no state. Returns the bytes received, or -1 with errno.
 */
T64_EXPORT T64_RET_recvmsg recvmsg(T64_SIG_recvmsg)
{
	t64_fn_recvmsg *real = T64_REAL(recvmsg);

	if (real == NULL)
		return -1;
	if (msg == NULL)
		return real(fd, msg, flags);
	if (!t64_recv_converted(fd) && !t64_recv_mapped(fd)) {
		ssize_t rc = real(fd, msg, flags);

		if (rc >= 0 && msg->msg_control != NULL)
			t64_fd_received(msg);
		return rc;
	}
	return t64_recvmsg_logic(real, fd, msg, flags);
}
