#include "plan/route.h"

#include <arpa/inet.h>

#include "config/settings.h"
#include "plan/bcast.h"
#include "plan/memo.h"
#include "prefix/order.h"
#include "sock/fdtab.h"

/*
 * decide_discovered decides r's destination again with the prefix learned
 * from the network as default: the PREF64 cache's (RFC 9872 puts a
 * router's word before DNS64), else the first discovered one, discovering
 * when needed. Returns 1 when there was one, else 0 (r unchanged). errno
 * preserved.
 */
static int decide_discovered(struct t64_route *r)
{
	const struct t64_prefix *p;

	if (t64_default_prefix(1, &p) == T64_O_NONE)
		return 0;
	t64_decide(t64_state()->cfg, p, r->ip, r->port, &r->d);
	return 1;
}

/*
 * t64_route_plan decides how fd reaches sin: the DESIGN.md decision (with
 * discovery when no prefix is configured), the remembered method first,
 * IPv4 only for a socket bound to an IPv4 address, and for a datagram to
 * a subnet broadcast address (see bcast.c and below). Fills *r; errno
 * preserved. No allocation, no lock on the way.
 */
void t64_route_plan(int fd, const struct sockaddr_in *sin, struct t64_route *r)
{
	const struct t64_state *st = t64_state();
	enum t64_method m;
	unsigned flags = t64_fd_get(fd);

	r->ip = ntohl(sin->sin_addr.s_addr);
	r->port = ntohs(sin->sin_port);
	r->v4only = (flags & T64_FD_V4ONLY) != 0;
	t64_decide(st->cfg, t64_prefix_fixed(st->env, st->file), r->ip, r->port, &r->d);
	/*
	 * Subnet broadcast depends on the host, not the configuration: a
	 * broadcast address of one of its IPv4 interfaces, or, on a socket
	 * with SO_BROADCAST, any a.b.c.255 (a directed broadcast; never
	 * through NAT64, which would make it a unicast on the IPv4 side).
	 */
	r->bcast = 0; /* read by t64_route_flexible just below */
	r->bcast = (flags & T64_FD_DGRAM) && t64_route_flexible(r) &&
		   (((flags & T64_FD_BCAST) && (r->ip & 0xff) == 0xff) ||
		    t64_bcast_is(r->ip));
	if (r->d.reason == T64_R_NO_PREFIX && !r->v4only)
		decide_discovered(r);
	r->first = r->v4only || r->bcast ? T64_IPV4 : r->d.method;
	if (t64_route_flexible(r) && (m = t64_memo_get(r->ip)) != T64_NONE)
		r->first = m;
}

/*
 * t64_route_prefix returns the prefix for NAT64 to r's destination, or
 * NULL when NAT64 may not be used for it; a no-prefix destination asks
 * discovery again (it may have learned one since). errno preserved.
 */
const struct t64_prefix *t64_route_prefix(struct t64_route *r)
{
	if (!t64_route_flexible(r))
		return NULL;
	if (r->d.reason == T64_R_NO_PREFIX)
		decide_discovered(r);
	return r->d.prefix;
}
