#include "calls/connect.h"

#include <errno.h>

#include "base/log.h"
#include "calls/inherit.h"
#include "calls/mapped.h"
#include "plan/attempt.h"
#include "plan/pending.h"
#include "sock/fdtab.h"
#include "plan/route.h"

/*
 * connect_tries connects fd to the destination of attempt a (started by
 * the caller): the planned method first; when it fails synchronously as
 * unreachable, the other one, which is then remembered for the
 * destination; a NAT64 attempt in progress is recorded for
 * getsockopt(SO_ERROR)'s and poll's late fallback (plan/pending.c).
 * Returns 0 (errno untouched), or -1 with the real connect's errno
 * (EINPROGRESS passes through), ENETUNREACH when there is no way at all.
 * Inline: the converted socket's connect is a hot path.
 */
static inline __attribute__((always_inline)) int
connect_tries(t64_fn_connect *real, int fd, struct t64_attempt *a)
{
	int saved = errno, rc;

	rc = real(fd, (const struct sockaddr *)&a->sin6, sizeof a->sin6);
	T64_DEBUG(1, "connect(%d, %u.%u.%u.%u:%u): %s (%s) -> %d", fd,
		  a->r.ip >> 24, a->r.ip >> 16 & 255, a->r.ip >> 8 & 255,
		  a->r.ip & 255, a->r.port, t64_method_name(a->m),
		  t64_reason_name(a->r.d.reason), rc < 0 ? errno : 0);
	if (rc < 0 && errno == EALREADY && !a->standin)
		return -1; /* still the same attempt: a pending one stays */
	if (t64_fd_get(fd) & T64_FD_PENDING)
		t64_pending_clear(fd, 0);
	if (rc < 0 && errno == EINPROGRESS && a->m == T64_NAT64 &&
	    t64_route_flexible(&a->r))
		t64_pending_set(fd, &a->sin); /* see plan/pending.c */
	if (rc == 0 || errno == EINPROGRESS)
		goto out;
	if (!t64_attempt_next(a, errno))
		return -1;
	rc = real(fd, (const struct sockaddr *)&a->sin6, sizeof a->sin6);
	T64_DEBUG(1, "connect(%d): fallback %s -> %d", fd,
		  t64_method_name(a->m), rc < 0 ? errno : 0);
	if (rc < 0 && errno != EINPROGRESS) {
		errno = t64_attempt_errno(a, errno);
		return -1;
	}
	t64_attempt_worked(a);
out:
	if (rc == 0)
		errno = saved;
	return rc;
}

/*
 * t64_connect_logic connects converted socket fd to an IPv4 address
 * through the attempt engine (connect_tries, plan/attempt.h); a stand-in
 * in use connects to its IPv6 peer. Returns 0 (errno untouched), or -1
 * with the real connect's errno (EINPROGRESS passes through; when both
 * methods failed as unreachable, the more telling one: see
 * t64_fallback_pick),
 * EINVAL/EAFNOSUPPORT for addresses an AF_INET socket would refuse,
 * ENETUNREACH when there is no way at all, EHOSTUNREACH for the full
 * pool's network address. A socket that turns out not to be converted
 * after all (t64_fd_recheck) gets the program's connect as it is.
 */
int t64_connect_logic(t64_fn_connect *real, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct t64_attempt a;

	if (addr == NULL || len < sizeof addr->sa_family ||
	    addr->sa_family == AF_UNSPEC)
		return real(fd, addr, len);
	if (t64_attempt_connect(fd, addr, len, &a) < 0)
		return -1;
	if (connect_tries(real, fd, &a) == 0)
		return 0;
	if (errno == EAFNOSUPPORT && t64_fd_recheck(fd))
		return real(fd, addr, len);
	return -1;
}

/*
 * t64_mapped_connect connects fd, a socket that is not converted: a
 * ::ffff:a.b.c.d destination on a dual-stack AF_INET6 TCP or UDP socket
 * goes to a.b.c.d through the attempt engine as on a converted socket,
 * and the socket is marked mapped (calls/mapped.c); anything else goes to
 * real unchanged, so the kernel answers (IPV6_V6ONLY on: ENETUNREACH).
 * Returns 0 (errno untouched), or -1 with errno as t64_connect_logic's.
 */
int t64_mapped_connect(t64_fn_connect *real, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct t64_attempt a;
	int k = t64_mapped_start(fd, addr, len, &a), rc;

	if (k == 0)
		return real(fd, addr, len);
	if (k < 0)
		return -1;
	rc = connect_tries(real, fd, &a);
	if (rc == 0 || errno == EINPROGRESS)
		t64_mapped_mark(fd);
	return rc;
}
