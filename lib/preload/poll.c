/* poll(): a pending NAT64 connect that failed is retried over IPv4 before the program sees POLLERR (calls/poll.c). */
#include <poll.h>

#include "base/real.h"
#include "calls/poll.h"
#include "plan/pending.h"

/*
 * poll waits like the real poll(); only while some socket has a pending
 * NAT64 connect (one atomic load otherwise) through t64_poll_logic.
 * Returns the number of ready fds, 0 on timeout, or -1 with errno.
 */
T64_EXPORT T64_RET_poll poll(T64_SIG_poll)
{
	t64_fn_poll *real = T64_REAL(poll);

	if (real == NULL)
		return -1;
	if (atomic_load_explicit(&t64_pending_n, memory_order_relaxed) <= 0)
		return real(fds, nfds, timeout);
	return t64_poll_logic(real, fds, nfds, timeout);
}
