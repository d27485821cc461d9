/* bind() of a converted socket to an IPv4 address, as its IPv6 equivalent. */
#ifndef T64_CALLS_BIND_H
#define T64_CALLS_BIND_H

#include <sys/socket.h>

#include "base/real.h"

int t64_bind_logic(t64_fn_bind *real, int fd, const struct sockaddr *addr, socklen_t len);

#endif
