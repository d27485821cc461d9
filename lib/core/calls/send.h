/* sendto() and sendmsg() of a converted socket to an IPv4 destination, through NAT64 or IPv4. */
#ifndef T64_CALLS_SEND_H
#define T64_CALLS_SEND_H

#include <sys/socket.h>

#include "base/real.h"

ssize_t t64_sendto_logic(t64_fn_sendto *real, int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *addr, socklen_t len);
ssize_t t64_sendmsg_logic(t64_fn_sendmsg *real, int fd, const struct msghdr *msg, int flags);

#endif
