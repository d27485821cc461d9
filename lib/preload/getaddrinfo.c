/* getaddrinfo(): IPv4 lookups that work on an IPv6-only host (core/calls/lookup.c). */
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * getaddrinfo answers like the real getaddrinfo(), with t64_gai's changes
 * for AF_INET and AF_UNSPEC. Returns 0 with *res, or an EAI_* error.
 */
T64_EXPORT T64_RET_getaddrinfo getaddrinfo(T64_SIG_getaddrinfo)
{
	t64_fn_getaddrinfo *real = T64_REAL(getaddrinfo);
	struct t64_mark *mk = T64_MARK();
	int rc;

	if (real == NULL)
		return EAI_SYSTEM; /* errno ENOSYS */
	if (!t64_lookup_enter(mk))
		return real(node, service, hints, res);
	rc = t64_gai(real, node, service, hints, res);
	t64_lookup_leave(mk);
	return rc;
}
