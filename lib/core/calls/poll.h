/* poll() while a NAT64 connect is in progress: its late fallback to IPv4 happens before the program sees POLLERR. */
#ifndef T64_CALLS_POLL_H
#define T64_CALLS_POLL_H

#include <poll.h>

#include "base/real.h"

int t64_poll_logic(t64_fn_poll *real, struct pollfd *fds, nfds_t nfds, int timeout);

#endif
