/* recvfrom(): the sender of a datagram on a converted socket as sockaddr_in, on a mapped one as ::ffff:x. */
#include "base/real.h"
#include "calls/dgram.h"

/*
 * recvfrom receives like the real recvfrom(); a converted datagram socket
 * asked for the sender goes through t64_recvfrom_logic, a mapped one
 * through t64_mapped_recvfrom. Returns the bytes received, or -1 with
 * errno.
 */
T64_EXPORT T64_RET_recvfrom recvfrom(T64_SIG_recvfrom)
{
	t64_fn_recvfrom *real = T64_REAL(recvfrom);

	if (real == NULL)
		return -1;
	if (T64_SA(addr) == NULL)
		return real(fd, buf, n, flags, addr, lenp);
	if (t64_recv_converted(fd))
		return t64_recvfrom_logic(real, fd, buf, n, flags, T64_SA(addr), lenp);
	if (t64_recv_mapped(fd))
		return t64_mapped_recvfrom(real, fd, buf, n, flags, T64_SA(addr), lenp);
	return real(fd, buf, n, flags, addr, lenp);
}
