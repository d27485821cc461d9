#include "calls/sockname.h"

#include <errno.h>
#include <string.h>

#include "addr/sockaddr.h"
#include "base/log.h"
#include "config/settings.h"
#include "pool/pool.h"
#include "prefix/known.h"
#include "sock/fdtab.h"

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
	const uint8_t *a = sin6->sin6_addr.s6_addr;
	struct sockaddr_in sin;
	uint64_t hi;

	if (t64_check_out(addr, lenp) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = sin6->sin6_port;
	/* :: and ::ffff:x both start with 8 zero bytes; peers mostly do not. */
	memcpy(&hi, a, sizeof hi);
	if (hi == 0 && memcmp(a, t64_v4mapped, 12) == 0)
		memcpy(&sin.sin_addr, a + 12, 4);
	else if (hi == 0 && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
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
