/* getpeername(): a converted socket answers with a sockaddr_in, a mapped one with ::ffff:x. */
#include "sock/fdtab.h"
#include "base/real.h"
#include "calls/mapped.h"
#include "calls/sockname.h"
#include "calls/inherit.h"

/*
 * getpeername answers like the real getpeername(); a converted socket gives
 * the peer (::ffff:x -> x, inside a known NAT64 prefix -> the embedded IPv4
 * asked for) through t64_name_logic, a mapped one the ::ffff: form of such
 * a peer through t64_mapped_peername. Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_getpeername getpeername(T64_SIG_getpeername)
{
	t64_fn_getpeername *real = T64_REAL(getpeername);

	if (real == NULL)
		return -1;
	if (t64_fd_flags(fd) & T64_FD_CONVERTED)
		return t64_name_logic(real, 1, fd, T64_SA(addr), lenp);
	/* A load of its own: the converted socket's path stays as it was. */
	if (t64_fd_get(fd) & T64_FD_MAPPED)
		return t64_mapped_peername(real, fd, T64_SA(addr), lenp);
	return real(fd, addr, lenp);
}
