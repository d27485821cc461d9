/*
 * IPv4-mapped destinations (::ffff:a.b.c.d) on the program's own AF_INET6
 * sockets: the IPv4 destinations they are (docs/DESIGN.md, "IPv4-mapped
 * destinations").
 */
#ifndef T64_CALLS_MAPPED_H
#define T64_CALLS_MAPPED_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "base/real.h"
#include "plan/attempt.h"

int t64_mapped_socket(int fd);
int t64_mapped_start(int fd, const struct sockaddr *addr, socklen_t len,
		     struct t64_attempt *a);
void t64_mapped_mark(int fd);
void t64_mapped_peer(unsigned flags, struct sockaddr_in6 *sin6);
int t64_mapped_out(unsigned flags, const struct sockaddr_in6 *sin6,
		   socklen_t l6, struct sockaddr *addr, socklen_t *lenp);
T64_APART
int t64_mapped_peername(t64_fn_getpeername *real, int fd,
			struct sockaddr *addr, socklen_t *lenp);

#endif
