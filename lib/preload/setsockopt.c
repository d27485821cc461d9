/* setsockopt(): IPv4 options of a converted socket also set their IPv6 twins (calls/options.c). */
#include <netinet/in.h>

#include "base/real.h"
#include "calls/options.h"
#include "sock/fdtab.h"

/*
 * setsockopt sets like the real setsockopt(); IPv4 and socket-level
 * options of converted sockets go through t64_setsockopt_logic. Returns 0,
 * or -1 with errno.
 */
T64_EXPORT T64_RET_setsockopt setsockopt(T64_SIG_setsockopt)
{
	t64_fn_setsockopt *real = T64_REAL(setsockopt);

	if (real == NULL)
		return -1;
	if (!(t64_fd_get(fd) & T64_FD_CONVERTED) ||
	    (level != IPPROTO_IP && level != SOL_SOCKET))
		return real(fd, level, optname, optval, optlen);
	return t64_setsockopt_logic(real, fd, level, optname, optval, optlen);
}
