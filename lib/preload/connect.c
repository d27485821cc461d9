/* connect(): an IPv4 destination on a converted socket, through NAT64 or IPv4. */
#include <arpa/inet.h>
#include <errno.h>

#include "addr/addr.h"
#include "sock/fdtab.h"
#include "base/log.h"
#include "plan/memo.h"
#include "plan/pending.h"
#include "base/real.h"
#include "plan/route.h"

/*
 * try connects fd to sin by method m (prefix p for NAT64). Returns the real
 * connect's result with its errno.
 */
static int try(t64_fn_connect *real, int fd, const struct sockaddr_in *sin,
	       enum t64_method m, const struct t64_prefix *p)
{
	struct sockaddr_in6 sin6;

	t64_sin6(sin, m == T64_NAT64 ? p : NULL, &sin6);
	return real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
}

/*
 * connect_logic connects converted socket fd to an IPv4 address: the
 * planned method first; when it fails synchronously as unreachable, the
 * other one (NAT64 -> IPv4; IPv4 -> NAT64 when a prefix is known), which
 * is then remembered for the destination (tried first next time); a NAT64
 * attempt in progress is recorded for getsockopt(SO_ERROR)'s fallback
 * (pending.c); a stand-in in use (198.19/16) connects to its IPv6 peer.
 * Returns 0 (errno untouched), or -1 with
 * the real connect's errno (EINPROGRESS passes through), EINVAL/EAFNOSUPPORT
 * for addresses an AF_INET socket would refuse, ENETUNREACH when there is no
 * way at all, EHOSTUNREACH for 198.19.0.0 (the full pool's stand-in).
 */
static int connect_logic(t64_fn_connect *real, int fd,
			 const struct sockaddr *addr, socklen_t len)
{
	int saved = errno, rc;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct t64_route r;
	enum t64_method second;
	const struct t64_prefix *p = NULL;

	if (addr == NULL || len < sizeof addr->sa_family ||
	    addr->sa_family == AF_UNSPEC)
		return real(fd, addr, len);
	if (t64_sin_in(addr, len, &sin) < 0)
		return -1;
	if ((rc = t64_standin_sin6(&sin, &sin6)) != 0) {
		/* A stand-in: the IPv6 peer itself, no fallback (pool.c). */
		if (rc < 0)
			return -1;
		if (t64_fd_get(fd) & T64_FD_PENDING)
			t64_pending_clear(fd, 0);
		rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
		goto out;
	}
	t64_route_plan(fd, &sin, &r);
	if (r.first == T64_NAT64 && (p = t64_route_prefix(&r)) == NULL)
		r.first = T64_IPV4; /* remembered NAT64, but no prefix now */
	rc = try(real, fd, &sin, r.first, p);
	T64_DEBUG(1, "connect(%d, %u.%u.%u.%u:%u): %s (%s) -> %d", fd,
		  r.ip >> 24, r.ip >> 16 & 255, r.ip >> 8 & 255, r.ip & 255,
		  r.port, t64_method_name(r.first),
		  t64_reason_name(r.d.reason), rc < 0 ? errno : 0);
	if (rc < 0 && errno == EALREADY)
		return -1; /* still the same attempt: a pending one stays */
	if (t64_fd_get(fd) & T64_FD_PENDING)
		t64_pending_clear(fd, 0);
	if (rc < 0 && errno == EINPROGRESS && r.first == T64_NAT64 &&
	    t64_route_flexible(&r))
		t64_pending_set(fd, &sin); /* see getsockopt.c */
	if (rc == 0 || errno == EINPROGRESS)
		goto out;
	if (!t64_fallback_errno(errno) || !t64_route_flexible(&r))
		return -1;
	second = r.first == T64_NAT64 ? T64_IPV4 : T64_NAT64;
	if (second == T64_NAT64 && (p = t64_route_prefix(&r)) == NULL)
		return r.d.reason == T64_R_NO_PREFIX ? t64_no_prefix(&sin) : -1;
	rc = try(real, fd, &sin, second, p);
	T64_DEBUG(1, "connect(%d): fallback %s -> %d", fd,
		  t64_method_name(second), rc < 0 ? errno : 0);
	if (rc < 0 && errno != EINPROGRESS)
		return -1;
	t64_memo_put(r.ip, second);
out:
	if (rc == 0)
		errno = saved;
	return rc;
}

/*
 * connect connects like the real connect(); an IPv4 destination on a
 * converted socket goes through connect_logic. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_connect connect(T64_SIG_connect)
{
	t64_fn_connect *real = T64_REAL(connect);

	if (real == NULL)
		return -1;
	if (t64_busy || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, addr, len);
	return connect_logic(real, fd, T64_SA(addr), len);
}
