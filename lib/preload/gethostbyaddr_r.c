/* gethostbyaddr_r(): a stand-in's name is the one it was looked up by (core/calls/lookup.c). */
#include <errno.h>
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * gethostbyaddr_r answers like the real gethostbyaddr_r(); for a stand-in
 * in use, t64_standin_names in the caller's buffer. Returns 0 with
 * *result set (NULL: not found, *h_errnop says why), or an error number
 * (ERANGE: buf too small).
 */
T64_EXPORT T64_RET_gethostbyaddr_r gethostbyaddr_r(T64_SIG_gethostbyaddr_r)
{
	t64_fn_gethostbyaddr_r *real = T64_REAL(gethostbyaddr_r);
	struct t64_mark *mk = T64_MARK();
	struct t64_names4 l;
	uint32_t ip;
	int rc, saved;

	if (real == NULL)
		return ENOSYS;
	if (result == NULL || h_errnop == NULL || !t64_lookup_enter(mk))
		return real(addr, len, type, ret, buf, buflen, result, h_errnop);
	if (t64_standin_of(addr, len, type, &ip)) {
		saved = errno;
		rc = t64_host_r(&l, t64_standin_names(ip, &l), 0, ret, buf,
				buflen, result, h_errnop);
		if (rc != ERANGE)
			errno = saved;
	} else {
		rc = real(addr, len, type, ret, buf, buflen, result, h_errnop);
	}
	t64_lookup_leave(mk);
	return rc;
}
