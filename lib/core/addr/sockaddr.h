/* Socket addresses of a converted socket: an AF_INET one checked as the kernel would, and its AF_INET6 form. */
#ifndef T64_SOCKADDR_H
#define T64_SOCKADDR_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "addr/addr.h"

int t64_sin_in(const struct sockaddr *addr, socklen_t len,
	       struct sockaddr_in *sin);
void t64_sin6(const struct sockaddr_in *sin, const struct t64_prefix *p,
	      struct sockaddr_in6 *out);

#endif
