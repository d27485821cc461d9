/* getpeername(): a converted socket answers with a sockaddr_in. */
#include "sock/fdtab.h"
#include "base/real.h"
#include "calls/sockname.h"
#include "calls/inherit.h"

/*
 * getpeername answers like the real getpeername(); a converted socket gives
 * the peer (::ffff:x -> x, inside a known NAT64 prefix -> the embedded IPv4 asked for) through t64_name_logic. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getpeername getpeername(T64_SIG_getpeername)
{
	t64_fn_getpeername *real = T64_REAL(getpeername);

	if (real == NULL)
		return -1;
	if (!(t64_fd_flags(fd) & T64_FD_CONVERTED))
		return real(fd, addr, lenp);
	return t64_name_logic(real, 1, fd, T64_SA(addr), lenp);
}
