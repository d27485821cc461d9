/* recvmmsg(): senders (and ancillary data) of a converted or mapped datagram socket (core/calls/dgram.c). */
#include "base/real.h"
#include "calls/dgram.h"
#include "sock/fdtab.h"

/*
 * recvmmsg receives like the real recvmmsg(); converted and mapped
 * datagram sockets go through t64_recvmmsg_logic; fds received with
 * SCM_RIGHTS start with no state. Returns the datagrams received, or -1
 * with errno.
 */
T64_EXPORT T64_RET_recvmmsg recvmmsg(T64_SIG_recvmmsg)
{
	t64_fn_recvmmsg *real = T64_REAL(recvmmsg);

	if (real == NULL)
		return -1;
	if (vec == NULL)
		return real(fd, vec, vlen, flags, timeout);
	if (!t64_recv_converted(fd) && !t64_recv_mapped(fd)) {
		int rc = real(fd, vec, vlen, flags, timeout);

		for (int i = 0; i < rc; i++)
			t64_fd_received(&vec[i].msg_hdr);
		return rc;
	}
	return t64_recvmmsg_logic(real, fd, vec, vlen, flags, timeout);
}
