/* accept(): a connection on a converted listener is converted too. */
#include "../core/fdtab.h"
#include "../core/log.h"
#include "../core/real.h"
#include "../core/route.h"

/*
 * accept_logic accepts on converted listener fd; the new socket is marked
 * converted and the peer handed out as sockaddr_in. Returns the new fd, or
 * -1 with errno (EFAULT/EINVAL for a bad length pointer, else the kernel's).
 */
static int accept_logic(t64_fn_accept *real, int fd, struct sockaddr *addr,
			socklen_t *lenp)
{
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l6 = sizeof sin6;
	int nfd;

	if (addr != NULL && t64_check_out(addr, lenp) < 0)
		return -1;
	nfd = real(fd, addr ? (struct sockaddr *)&sin6 : NULL,
		   addr ? &l6 : NULL);
	T64_DEBUG(2, "%s(%d) = %d", "accept", fd, nfd);
	return t64_accepted(nfd, &sin6, l6, addr, lenp);
}

/*
 * accept accepts like the real accept(); converted listeners go through
 * accept_logic. Returns the new fd, or -1 with errno.
 */
T64_EXPORT T64_RET_accept accept(T64_SIG_accept)
{
	t64_fn_accept *real = T64_REAL(accept);
	int nfd;

	if (real == NULL)
		return -1;
	if (!t64_busy && (t64_fd_get(fd) & T64_FD_CONVERTED))
		return accept_logic(real, fd, T64_SA(addr), lenp);
	nfd = real(fd, addr, lenp);
	if (nfd >= 0 && !t64_busy)
		t64_fd_set(nfd, 0);
	return nfd;
}
