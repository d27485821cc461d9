/* gethostbyaddr(): a stand-in's name is the one it was looked up by (core/calls/lookup.c). */
#include <errno.h>
#include <netdb.h>

#include "calls/lookup.h"
#include "base/real.h"

/*
 * gethostbyaddr answers like the real gethostbyaddr(); for a stand-in in
 * use, the hostent of t64_standin_names (the thread's own). Returns the
 * hostent, or NULL with h_errno.
 */
T64_EXPORT T64_RET_gethostbyaddr gethostbyaddr(T64_SIG_gethostbyaddr)
{
	t64_fn_gethostbyaddr *real = T64_REAL(gethostbyaddr);
	struct t64_mark *mk = T64_MARK();
	struct t64_names4 l;
	struct hostent *he;
	uint32_t ip;
	int saved;

	if (real == NULL) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (!t64_lookup_enter(mk))
		return real(addr, len, type);
	if (t64_standin_of(addr, len, type, &ip)) {
		saved = errno;
		he = t64_host_static(&l, t64_standin_names(ip, &l));
		errno = saved;
	} else {
		he = real(addr, len, type);
	}
	t64_lookup_leave(mk);
	return he;
}
