/*
 * Sockets our hooks never saw: inherited across execve (the table starts
 * empty in the new program), or made by a call we do not hook. See
 * docs/DESIGN.md, "Inherited sockets".
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"
#include "prefix/known.h"
#include "prefix/order.h"
#include "calls/inherit.h"

/*
 * converted_addr returns 1 when sin6 (l bytes, from the kernel) is an
 * address only a converted socket has: ::ffff:x, or a peer in a NAT64
 * prefix; else 0. A peer in no prefix known yet is asked about once the
 * default prefix is known: this process may not have connected anywhere
 * yet (a program that inherited the socket from the one that did), and
 * with no prefix configured the default one is discovered, once per
 * process, as its first connect would.
 */
static int converted_addr(const struct sockaddr_in6 *sin6, socklen_t l,
			  int peer)
{
	const struct t64_prefix *p;
	uint32_t ip;

	if (l < sizeof *sin6 || sin6->sin6_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return 1;
	if (!peer)
		return 0;
	if (t64_known_prefix(sin6->sin6_addr.s6_addr, &ip) != NULL)
		return 1;
	return t64_default_prefix(1, &p) != T64_O_NONE && t64_known_prefix(sin6->sin6_addr.s6_addr, &ip) != NULL;
}

/*
 * t64_fd_probe looks once at fd, which the table has never seen (flags 0),
 * and records what it is: converted when it is a dual-stack (IPV6_V6ONLY
 * off) AF_INET6 TCP or UDP socket whose own address is ::ffff:x or whose
 * peer is ::ffff:x or inside a known NAT64 prefix; otherwise just known.
 * A socket bound to [::] and not connected stays unconverted (an IPv6
 * server's listener looks the same). Returns the flags recorded (0 when
 * fd is not open). errno preserved; a few syscalls, and, for a peer in no
 * prefix known yet, the process's one discovery if it has not run.
 */
unsigned t64_fd_probe(int fd)
{
	t64_fn_getsockname *gsn = T64_REAL(getsockname);
	t64_fn_getpeername *gpn = T64_REAL(getpeername);
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	struct sockaddr_in6 me, peer;
	socklen_t l = sizeof me, pl = sizeof peer, ol = sizeof(int);
	int saved = errno, v6only = 1, type = 0;
	unsigned f = T64_FD_KNOWN;

	if (gsn == NULL || gpn == NULL || gso == NULL)
		goto out;
	memset(&me, 0, sizeof me);
	memset(&peer, 0, sizeof peer);
	if (gsn(fd, (struct sockaddr *)&me, &l) < 0) {
		if (errno == EBADF)
			f = 0; /* nothing to remember */
		goto out;
	}
	if (me.sin6_family != AF_INET6 ||
	    gso(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &ol) < 0 || v6only ||
	    gso(fd, SOL_SOCKET, SO_TYPE, &type, &ol) < 0 ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM))
		goto out;
	if (gpn(fd, (struct sockaddr *)&peer, &pl) < 0)
		pl = 0;
	if (converted_addr(&me, l, 0) || converted_addr(&peer, pl, 1))
		f |= T64_FD_CONVERTED | (type == SOCK_DGRAM ? T64_FD_DGRAM : 0);
out:
	if (f != 0)
		t64_fd_or(fd, f);
	T64_DEBUG(2, "fd %d not seen before: %s", fd,
		  f & T64_FD_CONVERTED ? "converted" : "left alone");
	errno = saved;
	return f;
}

/*
 * t64_fd_recheck: a call on converted socket fd failed with EAFNOSUPPORT,
 * which a converted socket never gives for the AF_INET6 address we made:
 * the kernel may hold another socket on that number, made past our hooks
 * after the converted one was closed past them (raw system calls). Asks
 * the kernel; when fd is not AF_INET6, its entry says known (no longer
 * converted) and 1 is returned: the caller makes the program's call as
 * it is. Else 0. errno preserved.
 */
int t64_fd_recheck(int fd)
{
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	int saved = errno, domain = 0;
	socklen_t l = sizeof domain;

	if (gso == NULL || gso(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0 || domain == AF_INET6) {
		errno = saved;
		return 0;
	}
	t64_fd_set(fd, T64_FD_KNOWN);
	T64_DEBUG(1, "fd %d is not the socket we converted (domain %d): left alone", fd, domain);
	errno = saved;
	return 1;
}
