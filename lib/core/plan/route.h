/* The route of one IPv4 destination: the decision, the method to try first, whether the other one may follow. */
#ifndef T64_ROUTE_H
#define T64_ROUTE_H

#include <netinet/in.h>

#include "plan/decide.h"

/* How a destination is tried: first method, then possibly the other. */
struct t64_route {
	uint32_t ip;     /* host order */
	uint16_t port;   /* host order */
	int v4only;      /* the socket is bound to an IPv4 address */
	int bcast;       /* a subnet broadcast address of this host */
	struct t64_decision d;
	enum t64_method first;
};

void t64_route_plan(int fd, const struct sockaddr_in *sin, struct t64_route *r);
const struct t64_prefix *t64_route_prefix(struct t64_route *r);

/* Inline: every connect and send asks it. */
/*
 * t64_route_flexible returns 1 when r's destination may use either method
 * (path, default or no-prefix decisions on a socket not bound to an IPv4
 * address, not a subnet broadcast), 0 when it is IPv4 only.
 */
static inline int t64_route_flexible(const struct t64_route *r)
{
	return !r->v4only && !r->bcast &&
	       (r->d.reason == T64_R_PATH || r->d.reason == T64_R_DEFAULT ||
		r->d.reason == T64_R_NO_PREFIX);
}

#endif
