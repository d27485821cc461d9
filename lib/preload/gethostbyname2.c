/* gethostbyname2(): AF_INET as gethostbyname (core/calls/lookup.c); other families untouched. */
#include <errno.h>
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * gethostbyname2 answers like the real gethostbyname2() (for any af
 * but AF_INET, just that); when that finds no IPv4 address, t64_lookup4
 * may (the thread's own hostent, where glibc has one per process). Returns the hostent, or NULL with h_errno.
 */
T64_EXPORT T64_RET_gethostbyname2 gethostbyname2(T64_SIG_gethostbyname2)
{
	t64_fn_gethostbyname2 *real = T64_REAL(gethostbyname2);
	struct t64_mark *mk = T64_MARK();
	struct t64_names4 l;
	struct hostent *he;
	int saved;

	if (real == NULL) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (af != AF_INET || !t64_lookup_enter(mk))
		return real(name, af);
	he = real(name, af);
	if (he == NULL) {
		saved = errno;
		he = t64_host_static(&l, t64_lookup4(name, h_errno, &l));
		errno = saved;
	}
	t64_lookup_leave(mk);
	return he;
}
