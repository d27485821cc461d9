/*
 * A NAT64 connect that returned EINPROGRESS and later failed as
 * unreachable (ICMPv6 from the gateway, no neighbour): the library
 * connects again over IPv4 on the same socket where the program learns of
 * the failure, in getsockopt(SO_ERROR) or in poll() (POLLERR). See
 * docs/DESIGN.md, "Asynchronous fallback".
 */
#include "plan/pending.h"

#include <errno.h>
#include <string.h>

#include "sock/fdtab.h"
#include "base/log.h"
#include "plan/memo.h"
#include "base/real.h"
#include "plan/attempt.h"
#include "addr/sockaddr.h"

/* t64_fd_pend words: a destination to fall back to, or an error to report. */
#define T64_PEND_DEST ((uint64_t)1 << 48)
#define T64_PEND_ERR ((uint64_t)2 << 48)

/*
 * mark sets fd's pending word to v and the flag (nothing when the words
 * cannot be kept: the connect then simply has no late fallback). No errno.
 */
static void mark(int fd, uint64_t v)
{
	_Atomic uint64_t *p = t64_fd_pend_word(fd, 1);
	_Atomic t64_fdflags *w = t64_fd_word(fd, 1);

	if (p == NULL || w == NULL)
		return;
	atomic_store(p, v);
	if (!(atomic_fetch_or(w, (t64_fdflags)T64_FD_PENDING) & T64_FD_PENDING))
		atomic_fetch_add(&t64_pending_n, 1);
}

/* pend returns fd's pending word (0 when it has none). No errno. */
static uint64_t pend(int fd)
{
	_Atomic uint64_t *p = t64_fd_pend_word(fd, 0);

	return p != NULL ? atomic_load(p) : 0;
}

/*
 * t64_pending_set records that fd's connect to sin went through NAT64,
 * is in progress, and may fall back to IPv4. No errno; no lock, no
 * syscall below T64_FD_MAX.
 */
void t64_pending_set(int fd, const struct sockaddr_in *sin)
{
	mark(fd, T64_PEND_DEST | (uint64_t)ntohl(sin->sin_addr.s_addr) << 16 |
			 ntohs(sin->sin_port));
}

/*
 * How long getsockopt(SO_ERROR) waits for the IPv4 connect it has just
 * started, in ms: a round trip and more on a network where IPv4 works.
 */
#define SETTLE_MS 250

/*
 * settle waits up to SETTLE_MS for fd's IPv4 connect in progress, so that
 * the SO_ERROR that started it reports how that connect ended, as a
 * native socket's SO_ERROR after poll would (a refused port at once, not
 * at the first send), and not 0 for a connect still going on. The NAT64
 * attempt failed with err. Returns the error to report: 0 when connected
 * or still connecting after the wait, the IPv4 connect's error, or the
 * more telling of the two unreachable ones. errno clobbered.
 */
static int settle(int fd, int err)
{
	t64_fn_poll *wait = T64_REAL(poll);
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t l = sizeof(int);
	int e = 0;

	if (wait == NULL || gso == NULL || wait(&p, 1, SETTLE_MS) != 1 ||
	    gso(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e == 0)
		return 0;
	T64_DEBUG(1, "connect(%d): IPv4 fallback failed too (%d)", fd, e);
	return t64_fallback_errno(e) ? t64_fallback_pick(err, e) : e;
}

/*
 * retry connects fd again to the IPv4 destination of its pending word v
 * after its NAT64 attempt failed with err (read from SO_ERROR, so cleared
 * in the kernel): Linux allows a new connect after a failed one (the first
 * call after the failure may only reset the socket, with ECONNABORTED, so
 * it is made again). IPv4 is remembered for the destination when the
 * connect returned 0 or EINPROGRESS; with wait, one in progress is given
 * a moment to end (settle). Returns 0 then, else the error to report (err
 * itself for EISCONN/EALREADY; when the IPv4 connect fails as unreachable
 * too, the more telling of the two, t64_fallback_pick). errno clobbered.
 */
static int retry(int fd, uint64_t v, int err, int wait)
{
	t64_fn_connect *real = T64_REAL(connect);
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int rc;

	if (real == NULL)
		return err;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl((uint32_t)(v >> 16));
	sin.sin_port = htons((uint16_t)v);
	t64_sin6(&sin, NULL, &sin6);
	rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
	if (rc < 0 && errno == ECONNABORTED)
		rc = real(fd, (const struct sockaddr *)&sin6, sizeof sin6);
	T64_DEBUG(1, "connect(%d): NAT64 failed later (%d); IPv4 -> %d", fd,
		  err, rc < 0 ? errno : 0);
	if (rc == 0 || errno == EINPROGRESS) {
		t64_memo_put((uint32_t)(v >> 16), T64_IPV4);
		return rc < 0 && wait ? settle(fd, err) : 0;
	}
	return errno == EISCONN || errno == EALREADY ? err : t64_fallback_pick(err, errno);
}

/*
 * take handles the kernel's error err (just read, so cleared) of fd whose
 * pending word is claimed here: a fallback errno with a destination is
 * retried over IPv4 (wait: see retry); an error kept by poll is reported
 * when err is 0. Returns the error to report. errno clobbered.
 */
static int take(int fd, int err, int wait)
{
	_Atomic uint64_t *p;
	uint64_t v;

	t64_pending_clear(fd, 0);
	p = t64_fd_pend_word(fd, 0);
	v = p != NULL ? atomic_exchange(p, 0) : 0;
	if ((v & T64_PEND_ERR) && err == 0)
		return (int)(uint32_t)v;
	if ((v & T64_PEND_DEST) && t64_fallback_errno(err))
		return retry(fd, v, err, wait);
	return err;
}

/*
 * t64_pending_error is called with the error err that getsockopt(SO_ERROR) just
 * read on converted socket fd with T64_FD_PENDING. A fallback errno makes it
 * connect again over IPv4 (retry), waiting up to SETTLE_MS for that connect to
 * end (settle): the answer is then its result (0, or its error: a refused port
 * is ECONNREFUSED here). One still in progress after the wait answers 0: send
 * gives EAGAIN, poll/epoll report writability once it is connected, and a later
 * failure shows up in the next SO_ERROR/send/recv. A connect that fails at once
 * gives its errno. Error 0 on a connected socket (getpeername works) ends the
 * pending state. Returns the error to report. errno preserved.
 */
int t64_pending_error(int fd, int err)
{
	t64_fn_getpeername *gpn = T64_REAL(getpeername);
	struct sockaddr_in6 sin6;
	socklen_t l = sizeof sin6;
	int saved = errno;

	if (err != 0 || (pend(fd) & T64_PEND_ERR) ||
	    (gpn != NULL && gpn(fd, (struct sockaddr *)&sin6, &l) == 0))
		err = take(fd, err, 1);
	errno = saved;
	return err;
}

/*
 * t64_pending_poll settles converted socket fd with T64_FD_PENDING after
 * poll() gave it revents: writable without error means connected (the
 * state ends); POLLERR/POLLHUP means the connect failed, so the error is
 * read and a fallback errno retried over IPv4 as in t64_pending_error.
 * Returns 1 when the socket is connecting again over IPv4 (its revents
 * are to be dropped: it will become writable), else 0; any other error is
 * kept for the next getsockopt(SO_ERROR). errno preserved.
 */
int t64_pending_poll(int fd, short revents)
{
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	int saved = errno, err = 0, again = 0;
	socklen_t l = sizeof err;

	if (!(revents & (POLLERR | POLLHUP))) {
		if (revents & POLLOUT)
			t64_pending_clear(fd, 0);
		return 0;
	}
	if (gso == NULL || gso(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		goto out;
	again = t64_fallback_errno(err) &&
		(pend(fd) & T64_PEND_DEST);
	err = take(fd, err, 0);
	if (err != 0) {
		again = 0;
		mark(fd, T64_PEND_ERR | (uint32_t)err);
	}
out:
	errno = saved;
	return again;
}
