#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "pool.h"
#include "target.h"

/* ms until deadline (a CLOCK_MONOTONIC time in ms, 0: none), at most 200: how long one poll may sleep. */
static int slice(int64_t deadline)
{
	struct timespec t;
	int64_t now, left;

	if (deadline == 0)
		return 200;
	clock_gettime(CLOCK_MONOTONIC, &t);
	now = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
	left = deadline - now;
	return left <= 0 ? 0 : left > 200 ? 200 : (int)left;
}

/* The deadline a socket's SO_RCVTIMEO or SO_SNDTIMEO sets for a blocking call, 0 for none. */
int64_t sc_deadline_of(int fd, int opt)
{
	struct timeval tv = { 0, 0 };
	socklen_t l = sizeof tv;
	struct timespec t;

	if (getsockopt(fd, SOL_SOCKET, opt, &tv, &l) < 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 + (int64_t)tv.tv_sec * 1000 +
	       tv.tv_usec / 1000 + 1;
}

/*
 * sc_wait_for waits until fd has events, as a blocking call of the program
 * would, while another thread receives notifications; it stops when the
 * caller is gone (killed, or interrupted by a signal: the kernel restarts
 * or fails its call), checked after every wake-up, or at deadline.
 * Returns 1 when ready, 0 at the deadline, -1 with errno EINTR when the
 * caller is gone. With may_pass, when no other thread can receive (the
 * pool's limit: every thread waits already), returns -1 with errno EBUSY
 * at once: the caller lets the kernel wait instead of holding up every
 * other call of the program.
 */
int sc_wait_for(int fd, short events, int64_t deadline, int may_pass)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, 0), ms;

	if (n > 0) /* ready already (a loopback handshake): no other receiver needed */
		return n;
	if (sc_pool_wait_begin() < 0 && may_pass) {
		errno = EBUSY;
		return -1;
	}
	for (;;) {
		ms = slice(deadline);
		n = poll(&p, 1, ms);
		/* Ready or not, a caller that gave up meanwhile must not have its send made or its data taken. */
		if (!sc_valid(sc_current)) {
			n = -1;
			errno = EINTR;
			break;
		}
		if (n > 0)
			break;
		if (n == 0 && deadline != 0 && slice(deadline) == 0)
			break;
	}
	return n;
}

/*
 * sc_connect_wait waits for fd's connect in progress as a blocking connect
 * would (SO_SNDTIMEO honoured). Returns 0 when connected, or -1 with
 * errno: the connect's error, EINPROGRESS when SO_SNDTIMEO passed (the
 * kernel's answer then too), EINTR when the caller is gone. A failed
 * socket is left as the kernel's failed blocking connect leaves it, ready
 * for the next connect (the attempt engine's next method, or the
 * program's own): after our non-blocking attempt that next connect would
 * only reset it, with ECONNABORTED, so it is reset here (a connect to
 * AF_UNSPEC, which a failed socket takes as a no-op).
 */
int sc_connect_wait(int fd)
{
	static const struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int rc = sc_wait_for(fd, POLLOUT, sc_deadline_of(fd, SO_SNDTIMEO), 0), err = 0;
	socklen_t l = sizeof err;

	if (rc < 0)
		return -1;
	if (rc == 0) {
		errno = EINPROGRESS;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		return -1;
	if (err != 0) {
		connect(fd, &unspec, sizeof unspec);
		errno = err;
		return -1;
	}
	return 0;
}

/* Whether a call on fd with flags blocks, as the program made it: a blocking socket, no MSG_DONTWAIT. */
int sc_blocking(int fd, int flags)
{
	int fl;

	return !(flags & MSG_DONTWAIT) && (fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK);
}

/*
 * sc_recv_retry is asked when a receive made without waiting failed (errno
 * set): on a socket where the program's call blocks (blocks), it waits
 * for data as that call would (deadline: its SO_RCVTIMEO, found on first
 * need when -1). Returns 1 to receive again, 0 to answer with errno (the
 * receive's, EAGAIN when SO_RCVTIMEO passed, EINTR when the caller gave
 * up), or -1 when no thread is left to wait (the kernel must answer).
 */
int sc_recv_retry(int fd, int blocks, int64_t *deadline)
{
	int w;

	if (errno != EAGAIN || !blocks)
		return 0;
	if (*deadline < 0)
		*deadline = sc_deadline_of(fd, SO_RCVTIMEO);
	w = sc_wait_for(fd, POLLIN, *deadline, 1);
	if (w < 0 && errno == EBUSY)
		return -1;
	if (w == 0)
		errno = EAGAIN;
	return w > 0;
}

