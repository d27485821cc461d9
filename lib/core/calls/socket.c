#include "calls/socket.h"

#include <errno.h>
#include <netinet/in.h>

#include "base/log.h"
#include "config/settings.h"
#include "plan/bcast.h"
#include "sock/fdtab.h"

/*
 * t64_socket_kind returns the fd flags of socket(AF_INET, type, protocol)
 * made dual-stack: T64_FD_CONVERTED for TCP, with T64_FD_DGRAM for UDP
 * (SOCK_DGRAM with protocol 0 or IPPROTO_UDP); 0 for any other socket,
 * which stays AF_INET.
 */
unsigned t64_socket_kind(int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
		return T64_FD_CONVERTED | T64_FD_DGRAM;
	if (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
		return T64_FD_CONVERTED;
	return 0;
}

/*
 * t64_socket_dual makes the AF_INET6 socket (type, protocol) through real,
 * with IPV6_V6ONLY off (said explicitly only where the kernel's default,
 * bindv6only, is not already off), so that it reaches IPv4 and NAT64
 * alike. Returns the fd, or -1 with errno: the real call's (EAFNOSUPPORT,
 * EPERM, EACCES: no IPv6 here, or a sandbox says no), or EAFNOSUPPORT
 * when the socket was made but cannot be dual-stack.
 */
int t64_socket_dual(t64_fn_socket *real, int type, int protocol)
{
	t64_fn_setsockopt *set = T64_REAL(setsockopt);
	int off = 0, fd = real(AF_INET6, type, protocol);

	if (fd < 0 || t64_state()->v6only_off)
		return fd;
	if (set == NULL || set(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
		t64_close(fd);
		errno = EAFNOSUPPORT;
		return -1;
	}
	return fd;
}

/*
 * t64_socket_logic creates the socket for socket(AF_INET, type, protocol):
 * a dual-stack one marked in the fd table (t64_socket_kind), or a real
 * AF_INET socket when that is impossible (no IPv6, a sandbox, an fd beyond
 * the table). Returns the fd, or -1 with errno from the real call.
 */
int t64_socket_logic(t64_fn_socket *real, int domain, int type, int protocol)
{
	unsigned flags = t64_socket_kind(type, protocol);
	int saved = errno, fd;

	(void)t64_state(); /* first use reads the settings, before the socket exists */
	if (flags == 0)
		goto plain;
	fd = t64_socket_dual(real, type, protocol);
	if (fd < 0) {
		if (errno != EAFNOSUPPORT && errno != EPERM && errno != EACCES)
			return -1;
		goto plain;
	}
	if (t64_fd_set(fd, flags) < 0) {
		t64_fd_set(fd, 0);
		t64_close(fd);
		goto plain;
	}
	if (flags & T64_FD_DGRAM)
		t64_bcast_refresh(); /* subnet broadcasts stay IPv4 */
	errno = saved;
	T64_DEBUG(2, "socket(AF_INET, %#x, %d) = %d (AF_INET6)", type, protocol, fd);
	return fd;
plain:
	errno = saved;
	fd = real(domain, type, protocol);
	if (fd >= 0)
		t64_fd_set(fd, T64_FD_KNOWN);
	return fd;
}
