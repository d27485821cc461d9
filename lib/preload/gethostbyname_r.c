/* gethostbyname_r(): IPv4 answers on an IPv6-only host; stand-ins (core/calls/lookup.c). */
#include <errno.h>
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * gethostbyname_r answers like the real gethostbyname_r(); when that finds no
 * IPv4 address (not for lack of room), t64_lookup4 may, in the caller's
 * buffer. Returns 0 with *result set, else an error number with *result
 * NULL and *h_errnop set (ERANGE: buf too small).
 */
T64_EXPORT T64_RET_gethostbyname_r gethostbyname_r(T64_SIG_gethostbyname_r)
{
	t64_fn_gethostbyname_r *real = T64_REAL(gethostbyname_r);
	struct t64_mark *mk = T64_MARK();
	struct t64_names4 l;
	int rc, saved;

	if (real == NULL)
		return ENOSYS;
	if (result == NULL || h_errnop == NULL || !t64_lookup_enter(mk))
		return real(name, ret, buf, buflen, result, h_errnop);
	rc = real(name, ret, buf, buflen, result, h_errnop);
	if (*result == NULL && rc != ERANGE) {
		saved = errno;
		rc = t64_host_r(&l, t64_lookup4(name, *h_errnop, &l), rc, ret,
				buf, buflen, result, h_errnop);
		if (rc != ERANGE)
			errno = saved;
	}
	t64_lookup_leave(mk);
	return rc;
}
