/* accept(): a connection on a converted listener is converted too. */
#include "sock/fdtab.h"
#include "base/real.h"
#include "calls/sockname.h"
#include "calls/inherit.h"

/*
 * accept accepts like the real accept(); on a converted listener through
 * t64_accept_logic (new socket converted, peer as sockaddr_in). Returns the
 * new fd, or -1 with errno.
 */
T64_EXPORT T64_RET_accept accept(T64_SIG_accept)
{
	t64_fn_accept *real = T64_REAL(accept);
	int nfd;

	if (real == NULL)
		return -1;
	if (t64_fd_flags(fd) & T64_FD_CONVERTED)
		return t64_accept_logic(NULL, real, fd, T64_SA(addr), lenp, 0);
	nfd = real(fd, addr, lenp);
	if (nfd >= 0)
		t64_fd_set(nfd, T64_FD_KNOWN);
	return nfd;
}
