/*
 * Socket addresses of a converted socket: an AF_INET one checked as the
 * kernel would, and its AF_INET6 form; and the IPv4 address inside an
 * IPv4-mapped AF_INET6 one (::ffff:a.b.c.d).
 */
#ifndef T64_SOCKADDR_H
#define T64_SOCKADDR_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "addr/addr.h"

int t64_sin_in(const struct sockaddr *addr, socklen_t len,
	       struct sockaddr_in *sin);
void t64_sin6(const struct sockaddr_in *sin, const struct t64_prefix *p,
	      struct sockaddr_in6 *out);

/* The shortest AF_INET6 address the kernel takes: sin6_scope_id is optional (RFC 2133's length). */
#define T64_SIN6_MIN 24

/* The first 12 bytes of an IPv4-mapped address, ::ffff:0:0/96. */
extern const uint8_t t64_v4mapped[12];

/*
 * t64_is_mapped returns 1 when addr (len bytes) is an AF_INET6
 * ::ffff:a.b.c.d address the kernel would take (at least T64_SIN6_MIN
 * bytes), else 0. Inline: every connect and send of a socket that is not
 * converted asks it.
 */
static inline int t64_is_mapped(const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)addr;

	return addr != NULL && len >= T64_SIN6_MIN &&
	       addr->sa_family == AF_INET6 &&
	       memcmp(s6->sin6_addr.s6_addr, t64_v4mapped, 12) == 0;
}

/*
 * t64_sin_mapped returns 1 when addr (len bytes) is an IPv4-mapped
 * address (t64_is_mapped), with *sin set to a.b.c.d and its port; else 0
 * (sin untouched).
 */
static inline int t64_sin_mapped(const struct sockaddr *addr, socklen_t len,
				 struct sockaddr_in *sin)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)addr;

	if (!t64_is_mapped(addr, len))
		return 0;
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_port, &s6->sin6_port, sizeof sin->sin_port);
	memcpy(&sin->sin_addr, s6->sin6_addr.s6_addr + 12, 4);
	return 1;
}

#endif
