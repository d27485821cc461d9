/*
 * A NAT64 connect that returned EINPROGRESS and later failed as
 * unreachable (ICMPv6 from the gateway, no neighbour): the program learns
 * it from getsockopt(SO_ERROR), where the library connects again over
 * IPv4 on the same socket. See docs/DESIGN.md, "Asynchronous fallback".
 */
#include "pending.h"

#include <errno.h>
#include <string.h>

#include "fdtab.h"
#include "log.h"
#include "memo.h"
#include "real.h"
#include "route.h"

#define T64_PEND_VALID ((uint64_t)1 << 48)

/*
 * t64_pending_set records that fd's connect to sin went through NAT64,
 * is in progress, and may fall back to IPv4. No errno; no lock, no syscall.
 */
void t64_pending_set(int fd, const struct sockaddr_in *sin)
{
	uint64_t v = T64_PEND_VALID |
		     (uint64_t)ntohl(sin->sin_addr.s_addr) << 16 |
		     ntohs(sin->sin_port);

	if ((unsigned)fd >= T64_FD_MAX)
		return;
	atomic_store(&t64_fd_pend[fd], v);
	atomic_fetch_or(&t64_fds[fd], (uint8_t)T64_FD_PENDING);
}

/* t64_pending_clear forgets fd's pending fallback. No errno. */
void t64_pending_clear(int fd)
{
	t64_fd_clear(fd, T64_FD_PENDING);
}

/*
 * t64_pending_error is called with the error err that getsockopt(SO_ERROR)
 * just read (and so cleared) on converted socket fd. When fd has a pending
 * NAT64 connect: a fallback errno makes it connect again to ::ffff:X
 * (Linux allows a new connect after a failed one; the first call after the
 * failure only resets the socket, with ECONNABORTED, so it is made twice)
 * and remember IPv4 for X;
 * the answer is then 0 when that connect returned 0 or EINPROGRESS (the
 * socket is connecting again: send gives EAGAIN, poll reports writability
 * once connected, a later failure shows up in the next SO_ERROR/send/recv,
 * as without tnat64), its errno when it failed at once (err itself for
 * EISCONN/EALREADY). Error 0 on a connected socket ends the pending state
 * (one getpeername). Returns the error to report. errno preserved.
 */
int t64_pending_error(int fd, int err)
{
	t64_fn_connect *real = T64_REAL(connect);
	t64_fn_getpeername *gpn = T64_REAL(getpeername);
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	socklen_t l = sizeof sin6;
	int saved = errno, rc;
	uint64_t v;

	if (err == 0) {
		if (gpn != NULL &&
		    gpn(fd, (struct sockaddr *)&sin6, &l) == 0)
			t64_pending_clear(fd);
		goto out;
	}
	if (!t64_fallback_errno(err) || real == NULL)
		goto out;
	t64_pending_clear(fd);
	v = atomic_exchange(&t64_fd_pend[fd], 0);
	if (!(v & T64_PEND_VALID))
		goto out;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl((uint32_t)(v >> 16));
	sin.sin_port = htons((uint16_t)v);
	t64_sin6(&sin, NULL, &sin6);
	rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
	if (rc < 0 && errno == ECONNABORTED) /* it only reset the socket */
		rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
	if (rc == 0 || errno == EINPROGRESS) {
		t64_memo_put((uint32_t)(v >> 16), T64_IPV4);
		err = 0;
	} else if (errno != EISCONN && errno != EALREADY) {
		err = errno;
	}
	T64_DEBUG(1, "connect(%d): NAT64 failed later; IPv4 -> %d", fd,
		  rc < 0 ? errno : 0);
out:
	errno = saved;
	return err;
}
