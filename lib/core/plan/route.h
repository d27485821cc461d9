/* Addresses on converted sockets: in from sockaddr_in, out to sockaddr_in. */
#ifndef T64_ROUTE_H
#define T64_ROUTE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "plan/decide.h"
#include "pool/pool.h"
#include "base/real.h"

/* How a destination is tried: first method, then possibly the other. */
struct t64_route {
	uint32_t ip;     /* host order */
	uint16_t port;   /* host order */
	int v4only;      /* the socket is bound to an IPv4 address */
	int bcast;       /* a subnet broadcast address of this host */
	struct t64_decision d;
	enum t64_method first;
};

int t64_sin_in(const struct sockaddr *addr, socklen_t len,
	       struct sockaddr_in *sin);
void t64_route_plan(int fd, const struct sockaddr_in *sin, struct t64_route *r);
const struct t64_prefix *t64_route_prefix(struct t64_route *r);
int t64_route_flexible(const struct t64_route *r);
int t64_fallback_errno(int err);
int t64_no_prefix(const struct sockaddr_in *sin);
void t64_sin6(const struct sockaddr_in *sin, const struct t64_prefix *p,
	      struct sockaddr_in6 *out);
int t64_sa_out(const struct sockaddr_in6 *sin6, int peer,
	       struct sockaddr *addr, socklen_t *lenp);
int t64_check_out(struct sockaddr *addr, socklen_t *lenp);
uint32_t t64_self4(void);
const struct t64_prefix *t64_known_prefix(const uint8_t a[16], uint32_t *ip);
uint32_t t64_peer4(const struct sockaddr_in6 *sin6, int strict);
int t64_standin_sin6_slow(const struct sockaddr_in *sin,
			  struct sockaddr_in6 *out);

/* Inline so that every send and connect to an ordinary address pays one
 * load and a compare, not a call (route.c has the rest). */
static inline int t64_standin_sin6(const struct sockaddr_in *sin,
				   struct sockaddr_in6 *out)
{
	if (!t64_pool_is(ntohl(sin->sin_addr.s_addr)))
		return 0;
	return t64_standin_sin6_slow(sin, out);
}



int t64_addr_out(const struct sockaddr_in6 *sin6, socklen_t l6, int peer,
		 struct sockaddr *addr, socklen_t *lenp);
int t64_accepted(int nfd, const struct sockaddr_in6 *sin6, socklen_t l6,
		 struct sockaddr *addr, socklen_t *lenp);
int t64_accept_logic(t64_fn_accept4 *real4, t64_fn_accept *real, int fd,
		     struct sockaddr *addr, socklen_t *lenp, int flags);
int t64_name_logic(t64_fn_getsockname *real, int peer, int fd,
		   struct sockaddr *addr, socklen_t *lenp);

/* A datagram destination being sent to: the plan and the address tried. */
struct t64_send {
	struct sockaddr_in sin;
	struct t64_route r;
	enum t64_method m;         /* method of sin6 */
	struct sockaddr_in6 sin6;
};

int t64_send_first(int fd, const struct sockaddr *addr, socklen_t len,
		   struct t64_send *s);
int t64_send_second(struct t64_send *s, int err);
void t64_send_worked(const struct t64_send *s);
#endif
