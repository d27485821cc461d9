/* Addresses going out of a converted socket (accept, getpeername, getsockname, recvfrom) as sockaddr_in. */
#ifndef T64_SOCKNAME_H
#define T64_SOCKNAME_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/real.h"

int t64_sa_out(const struct sockaddr_in6 *sin6, int peer,
	       struct sockaddr *addr, socklen_t *lenp);
int t64_check_out(struct sockaddr *addr, socklen_t *lenp);
uint32_t t64_self4(void);
uint32_t t64_peer4(const struct sockaddr_in6 *sin6, int strict);
int t64_peer_embedded(const struct sockaddr_in6 *sin6, int strict, uint32_t *ip);
int t64_addr_out(const struct sockaddr_in6 *sin6, socklen_t l6, int peer,
		 struct sockaddr *addr, socklen_t *lenp);
int t64_accepted(int nfd, const struct sockaddr_in6 *sin6, socklen_t l6,
		 struct sockaddr *addr, socklen_t *lenp);
int t64_accept_logic(t64_fn_accept4 *real4, t64_fn_accept *real, int fd,
		     struct sockaddr *addr, socklen_t *lenp, int flags);
int t64_name_logic(t64_fn_getsockname *real, int peer, int fd,
		   struct sockaddr *addr, socklen_t *lenp);

#endif
