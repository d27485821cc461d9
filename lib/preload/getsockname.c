/* getsockname(): a converted socket answers with a sockaddr_in. */
#include "sock/fdtab.h"
#include "base/real.h"
#include "calls/sockname.h"
#include "calls/inherit.h"

/*
 * getsockname answers like the real getsockname(); a converted socket gives
 * its own address (::ffff:x -> x, :: -> 0.0.0.0, a real IPv6 address -> 192.0.0.2) through t64_name_logic. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getsockname getsockname(T64_SIG_getsockname)
{
	t64_fn_getsockname *real = T64_REAL(getsockname);

	if (real == NULL)
		return -1;
	if (!(t64_fd_flags(fd) & T64_FD_CONVERTED))
		return real(fd, addr, lenp);
	return t64_name_logic(real, 0, fd, T64_SA(addr), lenp);
}
