/* closefrom(): the state of every closed fd is forgotten. */
#include "sock/fdtab.h"
#include "base/real.h"

/* glibc (2.34+) has closefrom(); musl has no function of that name for programs to call. */
#ifdef __GLIBC__
/*
 * closefrom forgets the state of every fd from lowfd on (the debug file's
 * among them), then closes them like the real closefrom(), which cannot
 * fail. Returns nothing.
 */
T64_EXPORT T64_RET_closefrom closefrom(T64_SIG_closefrom)
{
	t64_fn_closefrom *real = T64_REAL(closefrom);

	/* glibc starts a negative lowfd at 0 */
	t64_fd_forget_range(lowfd < 0 ? 0U : (unsigned)lowfd, ~0U);
	if (real != NULL)
		real(lowfd);
}
#endif
