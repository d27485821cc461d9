#include "plan/attempt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "addr/sockaddr.h"
#include "base/log.h"
#include "plan/memo.h"
#include "pool/pool.h"
#include "plan/route.h"

/*
 * t64_fallback_errno returns 1 when a synchronous connect failure with err
 * means "this way is unreachable" (the other method may work), else 0.
 */
int t64_fallback_errno(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH ||
	       err == EADDRNOTAVAIL || err == EAFNOSUPPORT;
}

/* rank orders the unreachable errnos by how much they tell: how far the attempt got. */
static int rank(int err)
{
	switch (err) {
	case EHOSTUNREACH:
		return 4; /* a route, and a gateway or neighbour that said no */
	case ENETUNREACH:
		return 3; /* no route from here */
	case EADDRNOTAVAIL:
		return 2; /* no source address for this family */
	case EAFNOSUPPORT:
		return 1;
	default:
		return 0;
	}
}

/*
 * t64_fallback_pick returns the errno to report when a destination's first
 * method failed with first (an unreachable errno) and the other one then
 * with second: second when it is not an unreachable errno (that attempt
 * got further: refused, timed out...), else the more telling of the two
 * (EHOSTUNREACH over ENETUNREACH over EADDRNOTAVAIL over EAFNOSUPPORT), so
 * "no route to host" on the NAT64 path is not hidden behind the host
 * simply having no IPv4 route.
 */
int t64_fallback_pick(int first, int second)
{
	return rank(second) == 0 || rank(second) >= rank(first) ? second : first;
}

/* t64_attempt_errno is t64_fallback_pick for attempt a, whose other method failed with err. */
int t64_attempt_errno(const struct t64_attempt *a, int err)
{
	return t64_fallback_pick(a->err, err);
}

/*
 * t64_no_prefix reports once per process that nothing can reach sin. Returns
 * -1 with errno ENETUNREACH.
 */
int t64_no_prefix(const struct sockaddr_in *sin)
{
	static atomic_int said;
	char a[T64_ADDRSTR];

	if (!atomic_exchange(&said, 1)) {
		t64_format4(ntohl(sin->sin_addr.s_addr), a);
		t64_log(0, "no NAT64 prefix is known and there is no IPv4 "
			   "route to %s; set TNAT64_PREFIX=64:ff9b::/96 or "
			   "`nat64_prefix` in /etc/tnat64.conf (see `tnat64 "
			   "discover`)",
			a);
	}
	errno = ENETUNREACH;
	return -1;
}

/*
 * first plans how socket fd (converted, or an AF_INET6 one given a ::ffff:
 * address) reaches a->sin and fills a->sin6 for the first try: a stand-in
 * in use goes to its IPv6 peer, with no plan, no fallback and nothing
 * remembered; otherwise the remembered method or the decision's, and IPv4
 * when that is NAT64 but no prefix is known now.
 * Returns 1, or -1 with errno EHOSTUNREACH for the full pool's network
 * address. errno otherwise preserved; no allocation, no lock.
 */
static inline int first(int fd, struct t64_attempt *a)
{
	const struct sockaddr_in *sin = &a->sin;
	const struct t64_prefix *p = NULL;
	int k;

	if ((k = t64_standin_sin6(sin, &a->sin6)) != 0) {
		memset(&a->r, 0, sizeof a->r);
		a->r.v4only = 1;
		a->m = a->r.first = T64_NAT64;
		a->standin = 1;
		return k;
	}
	a->standin = 0;
	t64_route_plan(fd, sin, &a->r);
	/* The plan has asked discovery already: its prefix is the one to use now. */
	if (a->r.first == T64_NAT64 && t64_route_flexible(&a->r))
		p = a->r.d.prefix;
	if (p == NULL)
		a->r.first = T64_IPV4; /* remembered NAT64, but no prefix now */
	a->m = a->r.first;
	t64_sin6(sin, p, &a->sin6);
	return 1;
}

/*
 * t64_attempt_connect starts an attempt to the address given to connect on
 * converted socket fd, checked as the kernel checks it for an AF_INET
 * socket. Returns 1 with a->sin6 ready, or -1 with errno EINVAL or
 * EAFNOSUPPORT (an address an AF_INET socket refuses) or EHOSTUNREACH
 * (the full pool's network address).
 */
int t64_attempt_connect(int fd, const struct sockaddr *addr, socklen_t len, struct t64_attempt *a)
{
	if (t64_sin_in(addr, len, &a->sin) < 0)
		return -1;
	return first(fd, a);
}

/*
 * t64_attempt_send starts an attempt to the destination of a send: returns
 * 0 when addr is not an AF_INET address (it goes to the kernel unchanged),
 * else as t64_attempt_connect.
 */
int t64_attempt_send(int fd, const struct sockaddr *addr, socklen_t len, struct t64_attempt *a)
{
	if (addr == NULL || len < sizeof a->sin || addr->sa_family != AF_INET)
		return 0;
	memcpy(&a->sin, addr, sizeof a->sin);
	return first(fd, a);
}

/*
 * t64_attempt_v4 starts an attempt to sin, an IPv4 destination already
 * checked (the one inside a ::ffff: address, calls/mapped.c), from socket
 * fd. Returns 1 with a->sin6 ready, or -1 with errno EHOSTUNREACH (the
 * full pool's network address).
 */
int t64_attempt_v4(int fd, const struct sockaddr_in *sin, struct t64_attempt *a)
{
	a->sin = *sin;
	return first(fd, a);
}

/*
 * t64_attempt_next prepares the other method after a try by a->m failed
 * with err: only for an unreachable-type err (t64_fallback_errno), a
 * destination that may use either method, and, for NAT64, a known prefix
 * (a no-prefix destination asks discovery again). Returns 1 with a->sin6
 * and a->m changed (err kept in a->err, for t64_attempt_errno), else 0 with errno preserved, or ENETUNREACH and the
 * one-time message when no prefix is known at all.
 */
int t64_attempt_next(struct t64_attempt *a, int err)
{
	const struct t64_prefix *p = NULL;
	enum t64_method m = a->m == T64_NAT64 ? T64_IPV4 : T64_NAT64;

	if (!t64_fallback_errno(err) || !t64_route_flexible(&a->r))
		return 0;
	if (m == T64_NAT64 && (p = t64_route_prefix(&a->r)) == NULL) {
		if (a->r.d.reason == T64_R_NO_PREFIX)
			t64_no_prefix(&a->sin);
		return 0;
	}
	a->m = m;
	a->err = err;
	t64_sin6(&a->sin, p, &a->sin6);
	return 1;
}

/*
 * t64_attempt_worked remembers a->m for the destination when it is not
 * the first method tried (a fallback was needed). errno preserved.
 */
void t64_attempt_worked(const struct t64_attempt *a)
{
	if (a->m != a->r.first)
		t64_memo_put(a->r.ip, a->m);
}
