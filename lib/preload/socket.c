/* socket(): IPv4 TCP and UDP sockets become AF_INET6 sockets with IPV6_V6ONLY off. */
#include <errno.h>
#include <netinet/in.h>

#include "plan/bcast.h"
#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"
#include "config/settings.h"

/*
 * socket_logic creates the socket for socket(AF_INET, type, protocol): an
 * AF_INET6 one with IPV6_V6ONLY explicitly 0, marked converted, for TCP
 * and UDP (SOCK_DGRAM with protocol 0 or IPPROTO_UDP, marked datagram); a
 * real AF_INET socket when that is impossible (no IPv6, sandbox, an fd
 * beyond the table). Returns the fd, or -1 with errno from the real call.
 */
static int socket_logic(t64_fn_socket *real, int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int saved = errno, off = 0, fd;
	unsigned flags = T64_FD_CONVERTED;
	const struct t64_state *st = t64_state(); /* first use reads the settings */

	if (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
		flags |= T64_FD_DGRAM;
	else if (base != SOCK_STREAM ||
		 (protocol != 0 && protocol != IPPROTO_TCP))
		goto plain;
	fd = real(AF_INET6, type, protocol);
	if (fd < 0) {
		if (errno != EAFNOSUPPORT && errno != EPERM && errno != EACCES)
			return -1;
		goto plain;
	}
	/* Explicit only where the kernel's default (bindv6only) is not already off. */
	if (t64_fd_set(fd, flags) < 0 ||
	    (!st->v6only_off &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)) {
		t64_fn_close *real_close = T64_REAL(close);

		t64_fd_set(fd, 0);
		if (real_close != NULL)
			real_close(fd);
		goto plain;
	}
	if (flags & T64_FD_DGRAM)
		t64_bcast_refresh(); /* subnet broadcasts stay IPv4 */
	errno = saved;
	T64_DEBUG(2, "socket(AF_INET, %#x, %d) = %d (AF_INET6)", type,
		  protocol, fd);
	return fd;
plain:
	errno = saved;
	fd = real(domain, type, protocol);
	if (fd >= 0)
		t64_fd_set(fd, T64_FD_KNOWN);
	return fd;
}

/*
 * socket returns a new socket like the real socket(); see socket_logic for
 * AF_INET. Returns -1 with errno set by the real call (ENOSYS when it cannot
 * be found).
 */
T64_EXPORT T64_RET_socket socket(T64_SIG_socket)
{
	t64_fn_socket *real = T64_REAL(socket);
	int fd;

	if (real == NULL)
		return -1;
	if (domain == AF_INET)
		return socket_logic(real, domain, type, protocol);
	fd = real(domain, type, protocol);
	if (fd >= 0)
		t64_fd_set(fd, T64_FD_KNOWN);
	return fd;
}
