/* __recvfrom_chk(): the fortified recvfrom (_FORTIFY_SOURCE) of glibc programs. */
#include <netinet/in.h>

#include "base/log.h"
#include "base/real.h"
#include "calls/dgram.h"

/* Only glibc has fortified entry points; elsewhere nothing calls __recvfrom_chk. */
#ifdef __GLIBC__
/*
 * __recvfrom_chk receives like glibc's: a buffer smaller than n goes to
 * the real one (which reports the overflow and aborts); a converted or
 * mapped datagram socket asked for the sender goes through recvfrom's
 * logic (glibc's own calls recvfrom inside libc, where our hook is not
 * seen).
 * Returns the bytes received, or -1 with errno.
 */
T64_EXPORT T64_RET___recvfrom_chk __recvfrom_chk(T64_SIG___recvfrom_chk)
{
	t64_fn___recvfrom_chk *chk = T64_REAL(__recvfrom_chk);
	t64_fn_recvfrom *real;

	if (chk == NULL)
		return -1;
	if (n > buflen || T64_SA(addr) == NULL ||
	    (real = T64_REAL(recvfrom)) == NULL)
		return chk(fd, buf, n, buflen, flags, addr, lenp);
	if (t64_recv_converted(fd))
		return t64_recvfrom_logic(real, fd, buf, n, flags, T64_SA(addr), lenp);
	if (t64_recv_mapped(fd))
		return t64_mapped_recvfrom(real, fd, buf, n, flags, T64_SA(addr), lenp);
	return chk(fd, buf, n, buflen, flags, addr, lenp);
}
#endif
