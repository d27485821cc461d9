/* __recvfrom_chk(): the fortified recvfrom (_FORTIFY_SOURCE) of glibc programs. */
#include <netinet/in.h>

#include "base/log.h"
#include "base/real.h"
#include "calls/dgram.h"

/* Only glibc has fortified entry points; elsewhere nothing calls __recvfrom_chk. */
#ifdef __GLIBC__
/*
 * __recvfrom_chk receives like glibc's: a buffer smaller than n goes to
 * the real one (which reports the overflow and aborts); a converted
 * datagram socket asked for the sender goes through t64_recvfrom_logic
 * (glibc's own calls recvfrom inside libc, where our hook is not seen).
 * Returns the bytes received, or -1 with errno.
 */
T64_EXPORT T64_RET___recvfrom_chk __recvfrom_chk(T64_SIG___recvfrom_chk)
{
	t64_fn___recvfrom_chk *chk = T64_REAL(__recvfrom_chk);
	t64_fn_recvfrom *real;

	if (chk == NULL)
		return -1;
	if (n > buflen || T64_SA(addr) == NULL ||
	    !t64_recv_converted(fd) || (real = T64_REAL(recvfrom)) == NULL)
		return chk(fd, buf, n, buflen, flags, addr, lenp);
	return t64_recvfrom_logic(real, fd, buf, n, flags, T64_SA(addr), lenp);
}
#endif
