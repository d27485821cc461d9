/* sendto(): an IPv4 destination on a converted socket (UDP, TCP Fast Open). */
#include <errno.h>
#include <netinet/in.h>

#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"
#include "plan/attempt.h"

/*
 * sendto_logic sends on converted socket fd; an AF_INET destination is
 * translated as connect would, with the same fallback when the first
 * method fails synchronously as unreachable (remembered per destination);
 * a stand-in goes to its IPv6 peer. Returns the bytes sent, or -1 with the
 * kernel's errno (EHOSTUNREACH for the full pool's 198.19.0.0).
 */
static ssize_t sendto_logic(t64_fn_sendto *real, int fd, const void *buf,
			    size_t n, int flags, const struct sockaddr *addr,
			    socklen_t len)
{
	struct t64_attempt s;
	int saved = errno;
	ssize_t rc;
	int k = t64_attempt_send(fd, addr, len, &s);

	if (k <= 0)
		return k < 0 ? -1 : real(fd, buf, n, flags, addr, len);
	rc = real(fd, buf, n, flags, (struct sockaddr *)&s.sin6, sizeof s.sin6);
	T64_DEBUG(2, "sendto(%d, %zu bytes, %#x): %s -> %zd", fd, n, flags,
		  t64_method_name(s.m), rc);
	if (rc < 0 && t64_attempt_next(&s, errno)) {
		rc = real(fd, buf, n, flags, (struct sockaddr *)&s.sin6,
			  sizeof s.sin6);
		T64_DEBUG(1, "sendto(%d): fallback %s -> %zd", fd,
			  t64_method_name(s.m), rc);
		if (rc < 0)
			errno = t64_attempt_errno(&s, errno);
	}
	if (rc >= 0) {
		t64_attempt_worked(&s);
		errno = saved;
	}
	return rc;
}

/*
 * sendto sends like the real sendto(); converted sockets go through
 * sendto_logic. Returns the bytes sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendto sendto(T64_SIG_sendto)
{
	t64_fn_sendto *real = T64_REAL(sendto);

	if (real == NULL)
		return -1;
	if (T64_SA(addr) == NULL ||
	    !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, buf, n, flags, addr, len);
	return sendto_logic(real, fd, buf, n, flags, T64_SA(addr), len);
}
