/* getsockopt(): SO_DOMAIN of a converted socket is AF_INET; SO_ERROR may fall back to IPv4 (calls/options.c). */
#include <sys/socket.h>

#include "base/real.h"
#include "calls/inherit.h"
#include "calls/options.h"
#include "sock/fdtab.h"

/*
 * getsockopt answers like the real getsockopt(); converted sockets and
 * sockets with a NAT64 connect in progress go through t64_getsockopt_logic.
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
	return t64_getsockopt_logic(real, f, fd, level, optname, optval, optlen);
}
