#include "calls/poll.h"

#include <time.h>

#include "plan/pending.h"
#include "sock/fdtab.h"

/* settle runs t64_pending_poll on fds' pending sockets; returns how many fds are still ready. */
static int settle(struct pollfd *fds, nfds_t nfds, int rc)
{
	for (nfds_t i = 0; i < nfds; i++) {
		if (fds[i].revents == 0 || fds[i].fd < 0 ||
		    !(t64_fd_get(fds[i].fd) & T64_FD_PENDING))
			continue;
		if (t64_pending_poll(fds[i].fd, fds[i].revents)) {
			fds[i].revents = 0; /* connecting again over IPv4 */
			rc--;
		}
	}
	return rc;
}

/*
 * t64_poll_logic polls through real while some socket has a NAT64 connect in
 * progress: a pending socket reported with POLLERR/POLLHUP is settled by
 * t64_pending_poll; when it is connecting again over IPv4 its revents are
 * dropped, and if nothing else is ready the wait goes on for the rest of
 * timeout (so the program sees it become writable, not a timeout).
 * Returns as poll(), -1 with the real call's errno.
 */
int t64_poll_logic(t64_fn_poll *real, struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec t0, t;
	int rc, left = timeout;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = real(fds, nfds, left);
		if (rc <= 0 || (rc = settle(fds, nfds, rc)) > 0)
			return rc;
		if (timeout >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout - (int)((t.tv_sec - t0.tv_sec) * 1000 +
					       (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				return 0;
		}
	}
}
