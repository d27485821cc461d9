/* accept4(): a connection on a converted listener is converted too. */
#include "sock/fdtab.h"
#include "base/real.h"
#include "calls/sockname.h"
#include "calls/inherit.h"

/*
 * accept4 accepts like the real accept4(); on a converted listener through
 * t64_accept_logic (new socket converted, peer as sockaddr_in). Returns the
 * new fd, or -1 with errno.
 */
T64_EXPORT T64_RET_accept4 accept4(T64_SIG_accept4)
{
	t64_fn_accept4 *real = T64_REAL(accept4);
	int nfd;

	if (real == NULL)
		return -1;
	if (t64_fd_flags(fd) & T64_FD_CONVERTED)
		return t64_accept_logic(real, NULL, fd, T64_SA(addr), lenp,
					flags);
	nfd = real(fd, addr, lenp, flags);
	if (nfd >= 0)
		t64_fd_set(nfd, T64_FD_KNOWN);
	return nfd;
}
