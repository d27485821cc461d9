/* The IPv4 fallback of a NAT64 connect that fails after EINPROGRESS. */
#ifndef T64_PENDING_H
#define T64_PENDING_H

#include <netinet/in.h>
#include <stdatomic.h>

#include "sock/fdtab.h" /* t64_pending_n, t64_pending_clear */

void t64_pending_set(int fd, const struct sockaddr_in *sin);
int t64_pending_error(int fd, int err);
int t64_pending_poll(int fd, short revents);

#endif
