/* getsockopt(): SO_DOMAIN of a converted socket is AF_INET; SO_ERROR may fall back to IPv4 (converted or mapped). */
#include <sys/socket.h>

#include "sock/fdtab.h"
#include "plan/pending.h"
#include "base/real.h"
#include "calls/inherit.h"

/*
 * getsockopt_logic asks the kernel, then answers SO_DOMAIN of converted
 * socket fd (flags f) with AF_INET; SO_ERROR after a NAT64 connect in
 * progress (a converted or mapped socket's) goes through
 * t64_pending_error (an unreachable NAT64 is retried over IPv4). Returns
 * 0, or -1 with the kernel's errno.
 */
static int getsockopt_logic(t64_fn_getsockopt *real, unsigned f, int fd,
			    int level, int optname, void *optval,
			    socklen_t *optlen)
{
	int rc = real(fd, level, optname, optval, optlen);

	if (rc == 0 && level == SOL_SOCKET && optname == SO_DOMAIN &&
	    (f & T64_FD_CONVERTED) && optval != NULL &&
	    *optlen >= sizeof(int) && *(int *)optval == AF_INET6)
		*(int *)optval = AF_INET;
	if (rc == 0 && level == SOL_SOCKET && optname == SO_ERROR &&
	    optval != NULL && *optlen >= sizeof(int) &&
	    (t64_fd_get(fd) & T64_FD_PENDING))
		*(int *)optval = t64_pending_error(fd, *(int *)optval);
	return rc;
}

/*
 * getsockopt answers like the real getsockopt(); converted sockets and
 * sockets with a NAT64 connect in progress go through getsockopt_logic.
 * Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getsockopt getsockopt(T64_SIG_getsockopt)
{
	t64_fn_getsockopt *real = T64_REAL(getsockopt);
	unsigned f;

	if (real == NULL)
		return -1;
	if (!((f = t64_fd_flags(fd)) & (T64_FD_CONVERTED | T64_FD_PENDING)))
		return real(fd, level, optname, optval, optlen);
	return getsockopt_logic(real, f, fd, level, optname, optval, optlen);
}
