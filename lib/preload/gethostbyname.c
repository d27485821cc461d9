/* gethostbyname(): IPv4 answers on an IPv6-only host; stand-ins for IPv6-only names (core/calls/lookup.c). */
#include <errno.h>
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * gethostbyname answers like the real gethostbyname(); when that finds no
 * IPv4 address, t64_lookup4 may (the thread's own hostent, where glibc
 * has one per process). Returns the hostent, or NULL with h_errno.
 */
T64_EXPORT T64_RET_gethostbyname gethostbyname(T64_SIG_gethostbyname)
{
	t64_fn_gethostbyname *real = T64_REAL(gethostbyname);
	struct t64_mark *mk = T64_MARK();
	struct t64_names4 l;
	struct hostent *he;
	int saved;

	if (real == NULL) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (!t64_lookup_enter(mk))
		return real(name);
	he = real(name);
	if (he == NULL) {
		saved = errno;
		he = t64_host_static(&l, t64_lookup4(name, h_errno, &l));
		errno = saved;
	}
	t64_lookup_leave(mk);
	return he;
}
