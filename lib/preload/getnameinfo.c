/* getnameinfo(): a stand-in's host is the name it was looked up by (core/calls/lookup.c). */
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * getnameinfo answers like the real getnameinfo(); the host of a stand-in
 * comes from t64_gni. Returns 0, or an EAI_* error.
 */
T64_EXPORT T64_RET_getnameinfo getnameinfo(T64_SIG_getnameinfo)
{
	t64_fn_getnameinfo *real = T64_REAL(getnameinfo);
	struct t64_mark *mk = T64_MARK();
	int rc;

	if (real == NULL)
		return EAI_SYSTEM; /* errno ENOSYS */
	if (!t64_lookup_enter(mk))
		return real(sa, salen, host, hostlen, serv, servlen, flags);
	rc = t64_gni(real, sa, salen, host, hostlen, serv, servlen, flags);
	t64_lookup_leave(mk);
	return rc;
}
