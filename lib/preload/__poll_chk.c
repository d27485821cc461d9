/* __poll_chk(): the fortified poll (_FORTIFY_SOURCE) of glibc programs. */
/* Here poll() must be the plain call (our hook), not glibc's fortified inline that calls __poll_chk again. */
#undef _FORTIFY_SOURCE
#include <poll.h>
#include <stddef.h>

#include "base/common.h"

/* Only glibc has fortified entry points (and __chk_fail); elsewhere nothing calls __poll_chk. */
#ifdef __GLIBC__
void __chk_fail(void) __attribute__((noreturn));

/*
 * __poll_chk polls like glibc's: fds shorter than nfds entries fails the
 * check (__chk_fail reports the overflow and aborts); otherwise it is our
 * poll(), so the late NAT64 fallback is seen (glibc's own __poll_chk polls
 * inside libc, where the hook is not). Returns as poll().
 */
T64_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout,
			  size_t fdslen)
{
	if (fdslen / sizeof *fds < nfds)
		__chk_fail();
	return poll(fds, nfds, timeout);
}
#endif
