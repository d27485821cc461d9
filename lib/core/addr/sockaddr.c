#include "addr/sockaddr.h"

#include <errno.h>
#include <string.h>

const uint8_t t64_v4mapped[12] = { [10] = 0xff, [11] = 0xff };

/*
 * t64_sin_in checks an address given to connect/bind/sendto of a converted
 * socket the way the kernel checks it for an AF_INET socket. Returns 0 with
 * *sin filled for AF_INET (AF_UNSPEC with INADDR_ANY too, as bind allows),
 * or -1 with errno EINVAL (too short) or EAFNOSUPPORT (other family).
 */
int t64_sin_in(const struct sockaddr *addr, socklen_t len,
	       struct sockaddr_in *sin)
{
	if (len < sizeof *sin) {
		errno = EINVAL;
		return -1;
	}
	memcpy(sin, addr, sizeof *sin);
	if (sin->sin_family == AF_INET ||
	    (sin->sin_family == AF_UNSPEC && sin->sin_addr.s_addr == 0)) {
		sin->sin_family = AF_INET;
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

/*
 * t64_sin6 builds the AF_INET6 address for sin: synthesized in prefix p, or
 * ::ffff:a.b.c.d when p is NULL. Returns nothing; no errno.
 */
void t64_sin6(const struct sockaddr_in *sin, const struct t64_prefix *p,
	      struct sockaddr_in6 *out)
{
	memset(out, 0, sizeof *out);
	out->sin6_family = AF_INET6;
	out->sin6_port = sin->sin_port;
	if (p != NULL) {
		t64_synthesize(p, ntohl(sin->sin_addr.s_addr),
			       out->sin6_addr.s6_addr);
	} else {
		out->sin6_addr.s6_addr[10] = 0xff;
		out->sin6_addr.s6_addr[11] = 0xff;
		memcpy(out->sin6_addr.s6_addr + 12, &sin->sin_addr, 4);
	}
}
