/* getsockname(): a converted socket's own address, IPv4. */
#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * getsockname_logic returns the address of converted socket fd as
 * sockaddr_in (::ffff:x -> x, :: -> 0.0.0.0, a real IPv6 address -> 192.0.0.2),
 * truncated to *lenp, *lenp set to 16. Returns 0, or -1 with errno: the
 * kernel's (EBADF, ...), EFAULT/EINVAL for bad buffers.
 */
static int getsockname_logic(t64_fn_getsockname *real, int fd,
			     struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l6 = sizeof sin6;

	T64_DEBUG(2, "getsockname(%d)", fd);
	if (real(fd, (struct sockaddr *)&sin6, &l6) < 0)
		return -1;
	return t64_addr_out(&sin6, l6, 0, addr, lenp);
}

/*
 * getsockname answers like the real getsockname(); converted sockets go
 * through getsockname_logic. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getsockname getsockname(T64_SIG_getsockname)
{
	t64_fn_getsockname *real = T64_REAL(getsockname);

	if (real == NULL)
		return -1;
	if (t64_busy || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, addr, lenp);
	return getsockname_logic(real, fd, T64_SA(addr), lenp);
}
