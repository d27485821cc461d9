/* bind(): an IPv4 address on a converted socket, as its IPv6 equivalent. */
#include "base/real.h"
#include "calls/bind.h"
#include "sock/fdtab.h"

/*
 * bind binds like the real bind(); converted sockets go through
 * t64_bind_logic (lib/core/calls/bind.c). Returns 0, or -1 with errno.
 */
T64_EXPORT T64_RET_bind bind(T64_SIG_bind)
{
	t64_fn_bind *real = T64_REAL(bind);

	if (real == NULL)
		return -1;
	if (!(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, addr, len);
	return t64_bind_logic(real, fd, T64_SA(addr), len);
}
