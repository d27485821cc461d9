/*
 * connect() of a converted socket to an IPv4 destination, through NAT64 or
 * IPv4; and of an AF_INET6 socket to an IPv4-mapped one (calls/mapped.c).
 */
#ifndef T64_CALLS_CONNECT_H
#define T64_CALLS_CONNECT_H

#include <sys/socket.h>

#include "base/real.h"

int t64_connect_logic(t64_fn_connect *real, int fd, const struct sockaddr *addr, socklen_t len);
T64_APART
int t64_mapped_connect(t64_fn_connect *real, int fd, const struct sockaddr *addr, socklen_t len);

#endif
