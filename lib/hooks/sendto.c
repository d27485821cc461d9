/* sendto(): an IPv4 destination on a converted socket (TCP Fast Open). */
#include <netinet/in.h>

#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * sendto_logic sends on converted socket fd; an AF_INET destination is
 * translated as connect would (first method, no fallback). Returns the
 * bytes sent, or -1 with the kernel's errno.
 */
static ssize_t sendto_logic(t64_fn_sendto *real, int fd, const void *buf,
			    size_t n, int flags, const struct sockaddr *addr,
			    socklen_t len)
{
	struct sockaddr_in6 sin6;

	T64_DEBUG(2, "sendto(%d, %zu bytes, %#x)", fd, n, flags);
	if (t64_dest6(fd, addr, len, &sin6))
		return real(fd, buf, n, flags, (struct sockaddr *)&sin6,
			    sizeof sin6);
	return real(fd, buf, n, flags, addr, len);
}

/*
 * sendto sends like the real sendto(); converted sockets go through
 * sendto_logic. Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendto sendto(T64_SIG_sendto)
{
	t64_fn_sendto *real = T64_REAL(sendto);

	if (real == NULL)
		return -1;
	if (t64_busy || T64_SA(addr) == NULL ||
	    !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, buf, n, flags, addr, len);
	return sendto_logic(real, fd, buf, n, flags, T64_SA(addr), len);
}
