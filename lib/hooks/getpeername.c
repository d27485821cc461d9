/* getpeername(): a converted socket's peer as the IPv4 address asked for. */
#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * getpeername_logic returns the peer of converted socket fd as sockaddr_in
 * (::ffff:x -> x, inside a known NAT64 prefix -> the embedded IPv4),
 * truncated to *lenp, *lenp set to 16. Returns 0, or -1 with errno: the
 * kernel's (EBADF, ENOTCONN, ...), EFAULT/EINVAL for bad buffers.
 */
static int getpeername_logic(t64_fn_getpeername *real, int fd,
			     struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l6 = sizeof sin6;

	T64_DEBUG(2, "getpeername(%d)", fd);
	if (real(fd, (struct sockaddr *)&sin6, &l6) < 0)
		return -1;
	return t64_addr_out(&sin6, l6, 1, addr, lenp);
}

/*
 * getpeername answers like the real getpeername(); converted sockets go
 * through getpeername_logic. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getpeername getpeername(T64_SIG_getpeername)
{
	t64_fn_getpeername *real = T64_REAL(getpeername);

	if (real == NULL)
		return -1;
	if (t64_busy || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, addr, lenp);
	return getpeername_logic(real, fd, T64_SA(addr), lenp);
}
