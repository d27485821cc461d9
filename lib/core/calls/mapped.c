/*
 * A dual-stack program that connects or sends to ::ffff:a.b.c.d on its own
 * AF_INET6 socket (Java's default network stack for every IPv4 literal) is
 * an IPv4 program as far as the network goes: the destination goes through
 * the attempt engine like a converted socket's, and the socket is marked
 * mapped, so its peers in a NAT64 prefix are shown in the ::ffff: form the
 * program used. See docs/DESIGN.md, "IPv4-mapped destinations".
 */
#include "calls/mapped.h"

#include <errno.h>
#include <string.h>

#include "addr/sockaddr.h"
#include "base/log.h"
#include "calls/sockname.h"
#include "pool/pool.h"
#include "prefix/known.h"
#include "sock/fdtab.h"

/*
 * t64_mapped_socket returns 1 when fd may reach ::ffff: destinations
 * through the attempt engine: a socket already marked mapped (its answer
 * cannot change: it has a port, so IPV6_V6ONLY and its binding are
 * fixed), or one the kernel says is a dual-stack (IPV6_V6ONLY off)
 * AF_INET6 TCP or UDP socket in the fd table. Records what the route
 * needs: datagram, and IPv4 only when it is bound to a ::ffff: address.
 * Else 0: a converted socket, IPV6_V6ONLY on, another family, type or
 * protocol, an fd beyond the table. Four syscalls until the socket is
 * marked; errno preserved.
 */
int t64_mapped_socket(int fd)
{
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	t64_fn_getsockname *gsn = T64_REAL(getsockname);
	unsigned f = t64_fd_get(fd), bits = T64_FD_KNOWN;
	int saved = errno, v6only = 1, proto = 0, type = 0, ok = 0;
	socklen_t l = sizeof(int);
	struct sockaddr_in6 me;
	socklen_t ml = sizeof me;

	if (f & T64_FD_MAPPED)
		return 1;
	if (fd < 0 || (f & T64_FD_CONVERTED) ||
	    gso == NULL || gsn == NULL)
		return 0;
	memset(&me, 0, sizeof me);
	if (gso(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l) < 0 || v6only ||
	    gso(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0 ||
	    gso(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 ||
	    !((proto == IPPROTO_TCP && type == SOCK_STREAM) ||
	      (proto == IPPROTO_UDP && type == SOCK_DGRAM)) ||
	    gsn(fd, (struct sockaddr *)&me, &ml) < 0 ||
	    me.sin6_family != AF_INET6)
		goto out;
	if (type == SOCK_DGRAM)
		bits |= T64_FD_DGRAM;
	/* Bound to ::ffff:x (0.0.0.0 included): the kernel allows IPv4 only. */
	if (memcmp(me.sin6_addr.s6_addr, t64_v4mapped, 12) == 0)
		bits |= T64_FD_V4ONLY;
	t64_fd_or(fd, bits);
	ok = 1;
out:
	T64_DEBUG(2, "fd %d: ::ffff: destinations %s", fd,
		  ok ? "through the attempt engine" : "left to the kernel");
	errno = saved;
	return ok;
}

/*
 * t64_mapped_start starts an attempt to the IPv4 destination inside addr
 * (len bytes) on socket fd when addr is ::ffff:a.b.c.d and the socket
 * allows it (t64_mapped_socket). Returns 1 with a->sin6 ready, 0 when
 * this is not such a destination or socket (the caller makes the real
 * call unchanged), or -1 with errno EHOSTUNREACH (the full pool's network
 * address). errno otherwise preserved.
 */
int t64_mapped_start(int fd, const struct sockaddr *addr, socklen_t len,
		     struct t64_attempt *a)
{
	struct sockaddr_in sin;

	if (!t64_sin_mapped(addr, len, &sin) || !t64_mapped_socket(fd))
		return 0;
	return t64_attempt_v4(fd, &sin, a);
}

/*
 * t64_mapped_mark records that fd reached a ::ffff: destination through
 * the attempt engine (its peers are shown in that form from now on).
 * No errno.
 */
void t64_mapped_mark(int fd)
{
	t64_fd_or(fd, T64_FD_MAPPED | T64_FD_KNOWN);
}

/*
 * t64_mapped_peer rewrites sin6, a peer of a mapped socket with flags,
 * into the ::ffff:a.b.c.d form the program used when it stands for
 * a.b.c.d: inside a known NAT64 prefix, on a TCP socket (its one peer is
 * the destination it asked for) always, on a UDP socket when the embedded
 * IPv4 is one the decision would reach through NAT64 with that prefix (a
 * reply to what the program sent); and, on a TCP socket, a stand-in's
 * IPv6 peer (the program connected to ::ffff:stand-in). Any other address
 * (::ffff: already, native IPv6) is left as it is: the program speaks
 * IPv6 too. errno preserved.
 */
void t64_mapped_peer(unsigned flags, struct sockaddr_in6 *sin6)
{
	uint8_t *a = sin6->sin6_addr.s6_addr;
	uint32_t ip;

	if (sin6->sin6_family != AF_INET6 || memcmp(a, t64_v4mapped, 12) == 0)
		return;
	if (flags & T64_FD_DGRAM) {
		if (!t64_peer_embedded(sin6, 0, &ip))
			return;
	} else if (t64_known_prefix(a, &ip) == NULL &&
		   (ip = t64_pool_get(a)) == t64_pool_full()) {
		return;
	}
	memcpy(a, t64_v4mapped, 12);
	ip = htonl(ip);
	memcpy(a + 12, &ip, 4);
	sin6->sin6_flowinfo = 0;
	sin6->sin6_scope_id = 0;
}

/*
 * t64_mapped_out hands the address the kernel gave for a peer of a mapped
 * socket with flags (sin6, l6 bytes) to the program's addr/lenp as the
 * kernel would (min(*lenp, l6) bytes, *lenp = l6), in the form
 * t64_mapped_peer gives. Returns 0, or -1 with errno EFAULT/EINVAL for
 * bad buffers (t64_check_out).
 */
int t64_mapped_out(unsigned flags, const struct sockaddr_in6 *sin6,
		   socklen_t l6, struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 s = *sin6;

	if (t64_check_out(addr, lenp) < 0)
		return -1;
	if (l6 >= T64_SIN6_MIN)
		t64_mapped_peer(flags, &s);
	memcpy(addr, &s, *lenp < l6 ? *lenp : l6);
	*lenp = l6;
	return 0;
}

/*
 * t64_mapped_peername answers getpeername for mapped socket fd through
 * real: the kernel's answer, with a peer standing for a.b.c.d as
 * ::ffff:a.b.c.d (t64_mapped_peer). Returns 0, or -1 with errno: the
 * kernel's (EBADF, ENOTCONN, ...), EFAULT/EINVAL for bad buffers.
 */
int t64_mapped_peername(t64_fn_getpeername *real, int fd,
			struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6;
	socklen_t l6 = sizeof sin6;

	memset(&sin6, 0, sizeof sin6);
	if (real(fd, (struct sockaddr *)&sin6, &l6) < 0)
		return -1;
	return t64_mapped_out(t64_fd_get(fd), &sin6, l6, addr, lenp);
}
