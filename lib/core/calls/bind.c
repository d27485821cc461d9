#include "calls/bind.h"

#include <errno.h>
#include <string.h>

#include "addr/sockaddr.h"
#include "base/log.h"
#include "calls/inherit.h"
#include "sock/fdtab.h"

/*
 * t64_bind_logic binds converted socket fd: 0.0.0.0:0 -> [::]:0; TCP and UDP
 * 0.0.0.0:P -> [::]:P (dual stack: it may still connect or send through
 * NAT64, and a server is reachable by IPv6 clients, shown as IPv4), or
 * [::ffff:0.0.0.0]:P when that gives EADDRINUSE (an IPv6 socket owns
 * [::]:P); a.b.c.d:P -> [::ffff:a.b.c.d]:P, never widened (127.0.0.1 stays
 * loopback only). A socket bound to an IPv4 form is IPv4 only. Returns
 * 0, or -1 with errno: EINVAL/EAFNOSUPPORT as an AF_INET socket, else the
 * kernel's.
 */
int t64_bind_logic(t64_fn_bind *real, int fd, const struct sockaddr *addr,
		   socklen_t len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int v4only, dual, rc, saved = errno;

	if (addr == NULL)
		return real(fd, addr, len);
	if (t64_sin_in(addr, len, &sin) < 0)
		return -1;
	v4only = sin.sin_addr.s_addr != 0 || sin.sin_port != 0;
	dual = sin.sin_addr.s_addr == 0;
	t64_sin6(&sin, NULL, &sin6);
	if (dual) {
		struct sockaddr_in6 any = sin6;

		memset(&any.sin6_addr, 0, sizeof any.sin6_addr);
		rc = real(fd, (const struct sockaddr *)&any, sizeof any);
		if (rc == 0 || errno != EADDRINUSE || sin.sin_port == 0) {
			v4only = 0;
			goto out;
		}
	}
	rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
out:
	if (rc < 0 && errno == EAFNOSUPPORT && t64_fd_recheck(fd))
		return real(fd, addr, len); /* not converted after all */
	if (rc == 0)
		errno = saved;
	if (rc == 0 && v4only)
		t64_fd_or(fd, T64_FD_V4ONLY);
	T64_DEBUG(2, "bind(%d) = %d%s", fd, rc, v4only ? " (IPv4 only)" : "");
	return rc;
}
