/*
 * Sends with a destination: IPv4 ones on converted sockets, ::ffff: ones
 * on AF_INET6 sockets (calls/mapped.c), through the attempt engine.
 */
#ifndef T64_CALLS_SEND_H
#define T64_CALLS_SEND_H

#include <sys/socket.h>

#include "base/real.h"

ssize_t t64_sendto_logic(t64_fn_sendto *real, int fd, const void *buf,
			 size_t n, int flags, const struct sockaddr *addr,
			 socklen_t len);
T64_APART
ssize_t t64_mapped_sendto(t64_fn_sendto *real, int fd, const void *buf,
			  size_t n, int flags, const struct sockaddr *addr,
			  socklen_t len);
ssize_t t64_sendmsg_logic(t64_fn_sendmsg *real, int fd,
			  const struct msghdr *msg, int flags);
T64_APART
ssize_t t64_mapped_sendmsg(t64_fn_sendmsg *real, int fd,
			   const struct msghdr *msg, int flags);
int t64_sendmmsg_logic(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
		       unsigned vlen, int flags);
T64_APART
int t64_mapped_sendmmsg(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
			unsigned vlen, int flags);

#endif
