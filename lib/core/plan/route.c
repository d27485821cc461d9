#include "plan/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "plan/bcast.h"
#include "prefix/discover.h"
#include "base/log.h"
#include "sock/fdtab.h"
#include "plan/memo.h"
#include "pool/pool.h"
#include "prefix/pref64.h"
#include "config/settings.h"

/*
 * t64_sin_in checks an address given to connect/bind/sendto of a converted
 * socket the way the kernel checks it for an AF_INET socket. Returns 0 with
 * *sin filled for AF_INET (AF_UNSPEC with INADDR_ANY too, as bind allows),
 * or -1 with errno EINVAL (too short) or EAFNOSUPPORT (other family).
 */
int t64_sin_in(const struct sockaddr *addr, socklen_t len,
	       struct sockaddr_in *sin)
{
	if (len < sizeof *sin) {
		errno = EINVAL;
		return -1;
	}
	memcpy(sin, addr, sizeof *sin);
	if (sin->sin_family == AF_INET ||
	    (sin->sin_family == AF_UNSPEC && sin->sin_addr.s_addr == 0)) {
		sin->sin_family = AF_INET;
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

/*
 * decide_discovered decides r's destination again with the prefix learned
 * from the network as default: the PREF64 cache's (RFC 9872 puts a
 * router's word before DNS64), else the first discovered one, discovering
 * when needed. Returns 1 when there was one, else 0 (r unchanged). errno
 * preserved.
 */
static int decide_discovered(struct t64_route *r)
{
	const struct t64_prefix *pref = t64_pref64(1);
	const struct t64_disc *disc = pref ? NULL : t64_discovered(1);

	if (pref == NULL && (disc == NULL || disc->n == 0))
		return 0;
	t64_decide(t64_state()->cfg, pref ? pref : &disc->p[0], r->ip, r->port,
		   &r->d);
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
	t64_decide(st->cfg, st->dflt, r->ip, r->port, &r->d);
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
 * t64_route_flexible returns 1 when r's destination may use either method
 * (path, default or no-prefix decisions on a socket not bound to an IPv4
 * address, not a subnet broadcast), 0 when it is IPv4 only.
 */
int t64_route_flexible(const struct t64_route *r)
{
	return !r->v4only && !r->bcast &&
	       (r->d.reason == T64_R_PATH || r->d.reason == T64_R_DEFAULT ||
		r->d.reason == T64_R_NO_PREFIX);
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

/*
 * t64_fallback_errno returns 1 when a synchronous connect failure with err
 * means "this way is unreachable" (the other method may work), else 0.
 */
int t64_fallback_errno(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH ||
	       err == EADDRNOTAVAIL || err == EAFNOSUPPORT;
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
 * t64_sin6 builds the AF_INET6 address for sin: synthesized in prefix p, or
 * ::ffff:a.b.c.d when p is NULL. Returns nothing; no errno.
 */
void t64_sin6(const struct sockaddr_in *sin, const struct t64_prefix *p,
	      struct sockaddr_in6 *out)
{
	memset(out, 0, sizeof *out);
	out->sin6_family = AF_INET6;
	out->sin6_port = sin->sin_port;
	if (p != NULL) {
		t64_synthesize(p, ntohl(sin->sin_addr.s_addr),
			       out->sin6_addr.s6_addr);
	} else {
		out->sin6_addr.s6_addr[10] = 0xff;
		out->sin6_addr.s6_addr[11] = 0xff;
		memcpy(out->sin6_addr.s6_addr + 12, &sin->sin_addr, 4);
	}
}

/* in_prefix: p and *ip when a is inside prefix p (may be NULL), else NULL. */
static const struct t64_prefix *in_prefix(const struct t64_prefix *p,
					  const uint8_t a[16], uint32_t *ip)
{
	if (p == NULL || !t64_in_prefix(p, a))
		return NULL;
	*ip = t64_extract(a, p->len);
	return p;
}

/*
 * t64_known_prefix finds the known NAT64 prefix a peer's IPv6 address is
 * in: TNAT64_PREFIX, the file's, its paths', the PREF64 cache's,
 * discovered ones (without reading or discovering). Returns it with *ip
 * (host order) embedded, or NULL.
 */
const struct t64_prefix *t64_known_prefix(const uint8_t a[16], uint32_t *ip)
{
	const struct t64_state *st = t64_state();
	const struct t64_config *cfg = st->cfg;
	const struct t64_disc *disc = t64_discovered(0);
	const struct t64_prefix *p;

	if ((p = in_prefix(st->dflt, a, ip)) != NULL)
		return p;
	if (cfg != NULL && cfg->has_prefix &&
	    (p = in_prefix(&cfg->prefix, a, ip)) != NULL)
		return p;
	for (size_t i = 0; cfg != NULL && i < cfg->npath; i++)
		if ((p = in_prefix(&cfg->path[i].prefix, a, ip)) != NULL)
			return p;
	if ((p = in_prefix(t64_pref64(0), a, ip)) != NULL)
		return p;
	for (size_t i = 0; disc != NULL && i < disc->n; i++)
		if ((p = in_prefix(&disc->p[i], a, ip)) != NULL)
			return p;
	return NULL;
}

/*
 * t64_self4 returns the host's IPv4 identity (host order) shown for a
 * converted socket's own IPv6 address: the configuration's ipv4_identity,
 * else 192.0.0.2 (RFC 7335, as 464XLAT hosts use). errno preserved.
 */
uint32_t t64_self4(void)
{
	const struct t64_config *cfg = t64_state()->cfg;

	return cfg != NULL && cfg->has_identity ? cfg->identity : 0xc0000002u;
}

/*
 * t64_check_out checks the caller's (addr, lenp) for an address going out
 * as the kernel would. Returns 0, or -1 with errno EFAULT (lenp NULL, or
 * addr NULL with room) or EINVAL (negative length).
 */
int t64_check_out(struct sockaddr *addr, socklen_t *lenp)
{
	if (lenp == NULL) {
		errno = EFAULT;
		return -1;
	}
	if ((int)*lenp < 0) {
		errno = EINVAL;
		return -1;
	}
	if (addr == NULL && *lenp > 0) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

/*
 * t64_sa_out writes what a converted socket's address sin6 looks like to
 * the IPv4 program: ::ffff:x -> x; :: -> 0.0.0.0; any other peer as
 * t64_peer4 says (peer 2: a peer of an accepted socket, strict); our own
 * real IPv6 address -> t64_self4() (192.0.0.2 unless configured). Copies min(*lenp, 16) bytes and sets
 * *lenp to 16. Returns 0, or -1 with errno as t64_check_out.
 */
int t64_sa_out(const struct sockaddr_in6 *sin6, int peer,
	       struct sockaddr *addr, socklen_t *lenp)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *a = sin6->sin6_addr.s6_addr;
	struct sockaddr_in sin;

	if (t64_check_out(addr, lenp) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = sin6->sin6_port;
	if (memcmp(a, mapped, 12) == 0)
		memcpy(&sin.sin_addr, a + 12, 4);
	else if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		sin.sin_addr.s_addr = 0;
	else if (peer)
		sin.sin_addr.s_addr = htonl(t64_peer4(sin6, peer == 2));
	else
		sin.sin_addr.s_addr = htonl(t64_self4());
	memcpy(addr, &sin, *lenp < sizeof sin ? *lenp : sizeof sin);
	*lenp = sizeof sin;
	return 0;
}

/*
 * t64_addr_out hands the address the kernel gave for a converted socket
 * (sin6, l6 bytes) to the program: translated by t64_sa_out when it is
 * AF_INET6, copied as is otherwise. Returns 0, or -1 with errno as
 * t64_check_out.
 */
int t64_addr_out(const struct sockaddr_in6 *sin6, socklen_t l6, int peer,
		 struct sockaddr *addr, socklen_t *lenp)
{
	if (sin6->sin6_family == AF_INET6)
		return t64_sa_out(sin6, peer, addr, lenp);
	if (t64_check_out(addr, lenp) < 0)
		return -1;
	memcpy(addr, sin6, *lenp < l6 ? *lenp : l6);
	*lenp = l6;
	return 0;
}

/*
 * t64_standin_sin6_slow (t64_standin_sin6 in route.h, for an address
 * inside the range) builds in *out the real IPv6 address behind stand-in
 * sin (see pool.c), port kept. Returns 1; 0 when sin is no stand-in in use
 * (an ordinary IPv4 destination); -1 with errno EHOSTUNREACH for
 * the range's network address, which peers are shown as when the pool is
 * full (no way back to them). No allocation, no lock; one load.
 */
int t64_standin_sin6_slow(const struct sockaddr_in *sin,
			  struct sockaddr_in6 *out)
{
	uint32_t ip = ntohl(sin->sin_addr.s_addr);

	memset(out, 0, sizeof *out);
	out->sin6_family = AF_INET6;
	out->sin6_port = sin->sin_port;
	if (t64_pool_addr(ip, out->sin6_addr.s6_addr))
		return 1;
	if (ip != t64_pool_full())
		return 0;
	errno = EHOSTUNREACH;
	return -1;
}

/*
 * t64_send_first plans a destination given to sendto/sendmsg/sendmmsg on
 * converted socket fd like connect (remembered method first; a NAT64 plan
 * without a prefix now goes over IPv4); a stand-in in use goes to its IPv6
 * peer (t64_standin_sin6). Returns 1 with s->sin6 filled when addr is an
 * AF_INET address, 0 when it is to be passed unchanged, -1 with errno
 * EHOSTUNREACH for the full pool's 198.19.0.0. errno otherwise preserved;
 * no allocation, no lock.
 */
int t64_send_first(int fd, const struct sockaddr *addr, socklen_t len,
		   struct t64_send *s)
{
	const struct t64_prefix *p = NULL;

	int k;

	if (addr == NULL || len < sizeof s->sin || addr->sa_family != AF_INET)
		return 0;
	memcpy(&s->sin, addr, sizeof s->sin);
	if ((k = t64_standin_sin6(&s->sin, &s->sin6)) != 0) {
		/* The IPv6 peer itself: no plan, no fallback, nothing to remember. */
		memset(&s->r, 0, sizeof s->r);
		s->r.v4only = 1;
		s->m = s->r.first = T64_NAT64;
		return k;
	}
	t64_route_plan(fd, &s->sin, &s->r);
	s->m = s->r.first;
	if (s->m == T64_NAT64 && (p = t64_route_prefix(&s->r)) == NULL)
		s->m = T64_IPV4;
	t64_sin6(&s->sin, p, &s->sin6);
	return 1;
}

/*
 * t64_send_second prepares the other method after a send by s->m failed
 * with err: only for an unreachable-type err (t64_fallback_errno), a
 * destination that may use either method, and, for NAT64, a known prefix.
 * Returns 1 with s->sin6 and s->m changed, else 0 (errno preserved; but
 * ENETUNREACH and the one-time message when no prefix is known at all).
 */
int t64_send_second(struct t64_send *s, int err)
{
	const struct t64_prefix *p = NULL;
	enum t64_method m = s->m == T64_NAT64 ? T64_IPV4 : T64_NAT64;

	if (!t64_fallback_errno(err) || !t64_route_flexible(&s->r))
		return 0;
	if (m == T64_NAT64 && (p = t64_route_prefix(&s->r)) == NULL) {
		if (s->r.d.reason == T64_R_NO_PREFIX)
			t64_no_prefix(&s->sin);
		return 0;
	}
	s->m = m;
	t64_sin6(&s->sin, p, &s->sin6);
	return 1;
}

/*
 * t64_send_worked remembers s->m for the destination when it differs from
 * the decision's own first choice (a fallback was needed). errno preserved.
 */
void t64_send_worked(const struct t64_send *s)
{
	if (s->m != s->r.first)
		t64_memo_put(s->r.ip, s->m);
}

/*
 * t64_accepted finishes an accept on a converted listener: nfd (the real
 * call's result) is marked converted, and the peer sin6 (l6 bytes) handed
 * out to addr/lenp when addr is not NULL. Returns nfd, or -1 with errno
 * from the real call.
 */
int t64_accepted(int nfd, const struct sockaddr_in6 *sin6, socklen_t l6,
		 struct sockaddr *addr, socklen_t *lenp)
{
	if (nfd < 0)
		return -1;
	t64_fd_set(nfd, T64_FD_CONVERTED | T64_FD_ACCEPTED);
	if (addr != NULL)
		t64_addr_out(sin6, l6, 2, addr, lenp);
	return nfd;
}

/*
 * t64_accept_logic accepts on converted listener fd through real4
 * (accept4, with flags) or, when it is NULL, real (accept); the new socket
 * is marked converted and the peer handed out as sockaddr_in. Returns the
 * new fd, or -1 with errno (EFAULT/EINVAL for a bad length pointer, else
 * the kernel's).
 */
int t64_accept_logic(t64_fn_accept4 *real4, t64_fn_accept *real, int fd,
		     struct sockaddr *addr, socklen_t *lenp, int flags)
{
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l6 = sizeof sin6;
	struct sockaddr *a = addr ? (struct sockaddr *)&sin6 : NULL;
	int nfd;

	if (addr != NULL && t64_check_out(addr, lenp) < 0)
		return -1;
	nfd = real4 ? real4(fd, a, addr ? &l6 : NULL, flags) :
		      real(fd, a, addr ? &l6 : NULL);
	T64_DEBUG(2, "accept(%d) = %d", fd, nfd);
	return t64_accepted(nfd, &sin6, l6, addr, lenp);
}

/*
 * t64_name_logic answers getpeername (peer set) or getsockname through
 * real for converted socket fd: the kernel's AF_INET6 address as the
 * sockaddr_in the program expects (see t64_sa_out), truncated to *lenp,
 * *lenp set to 16. Returns 0, or -1 with errno: the kernel's (EBADF,
 * ENOTCONN, ...), EFAULT/EINVAL for bad buffers.
 */
int t64_name_logic(t64_fn_getsockname *real, int peer, int fd,
		   struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l6 = sizeof sin6;

	T64_DEBUG(2, "%s(%d)", peer ? "getpeername" : "getsockname", fd);
	if (real(fd, (struct sockaddr *)&sin6, &l6) < 0)
		return -1;
	if (peer && (t64_fd_get(fd) & T64_FD_ACCEPTED))
		peer = 2;
	return t64_addr_out(&sin6, l6, peer, addr, lenp);
}
