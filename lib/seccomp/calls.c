#include "calls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caller.h"
#include "calls/bind.h"
#include "calls/connect.h"
#include "calls/mapped.h"
#include "calls/options.h"
#include "calls/socket.h"
#include "calls/sockname.h"
#include "plan/bcast.h"
#include "plan/pending.h"
#include "pool.h"
#include "receives.h"
#include "sends.h"
#include "sock/fdtab.h"
#include "wait.h"

/*
 * sc_connect is the connect that lib/core's attempt engine calls: for a
 * blocking socket it waits here (sc_connect_wait), not in the kernel, so
 * that the caller giving up is noticed, and the result is known
 * (synchronous fallback).
 */
static int sc_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int fl = fcntl(fd, F_GETFL), rc, e;

	if (fl < 0 || (fl & O_NONBLOCK))
		return connect(fd, addr, len);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	rc = connect(fd, addr, len);
	e = errno;
	fcntl(fd, F_SETFL, fl);
	errno = e;
	if (rc == 0 || errno != EINPROGRESS)
		return rc;
	return sc_connect_wait(fd);
}

static void on_socket(struct sc_call *c)
{
	int type = (int)sc_arg(c, 1), proto = (int)sc_arg(c, 2), fd;
	unsigned kind = t64_socket_kind(type, proto);

	if (kind == 0)
		return;
	/* No IPv6 here (or a sandbox says no): the program's AF_INET socket, from the kernel. */
	if ((fd = t64_socket_dual(socket, type | SOCK_CLOEXEC, proto)) < 0)
		return;
	if (sc_mark_set(fd, kind & T64_FD_DGRAM ? M_DGRAM : 0) < 0) {
		close(fd);
		return;
	}
	if (kind & T64_FD_DGRAM)
		t64_bcast_refresh();
	sc_answer_fd(c, fd, type & SOCK_CLOEXEC);
	close(fd);
}

/*
 * A NAT64 connect in progress (a non-blocking program's) may fail later,
 * read from SO_ERROR; lib/core then connects again over IPv4 (plan/
 * pending.c). Its IPv4 destination is kept here by socket inode, and the
 * socket carries M_PENDING, so a new socket that reuses an inode is never
 * taken for it. A slot taken by another socket loses only that
 * socket's late fallback.
 */
#define PEND_SLOTS 1024
static struct {
	uint64_t ino;
	uint64_t dest; /* address << 16 | port, host order */
} pend_tab[PEND_SLOTS];
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;

static int inode_of(int fd, uint64_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

/* pending_save keeps what lib/core recorded on our copy of a socket whose NAT64 connect is in progress. */
static void pending_save(struct sock *s)
{
	_Atomic uint64_t *w = t64_fd_pend_word(s->fd, 0);
	uint64_t ino, dest;

	if (!(t64_fd_get(s->fd) & T64_FD_PENDING) || w == NULL || inode_of(s->fd, &ino) < 0)
		return;
	dest = atomic_load(w) & 0xffffffffffffULL;
	pthread_mutex_lock(&pend_lock);
	pend_tab[ino % PEND_SLOTS].ino = ino;
	pend_tab[ino % PEND_SLOTS].dest = dest;
	pthread_mutex_unlock(&pend_lock);
	if (sc_mark_set(s->fd, s->bits | M_PENDING) == 0)
		s->bits |= M_PENDING;
}

/* pending_load gives our copy the pending state kept for its socket. Returns 0, or -1 when none is kept. */
static int pending_load(struct sock *s, uint64_t *ino)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint64_t dest = 0;

	if (inode_of(s->fd, ino) < 0)
		return -1;
	pthread_mutex_lock(&pend_lock);
	if (pend_tab[*ino % PEND_SLOTS].ino == *ino)
		dest = pend_tab[*ino % PEND_SLOTS].dest;
	pthread_mutex_unlock(&pend_lock);
	if (dest == 0)
		return -1;
	sin.sin_addr.s_addr = htonl((uint32_t)(dest >> 16));
	sin.sin_port = htons((uint16_t)dest);
	t64_pending_set(s->fd, &sin);
	return 0;
}

/* pending_end forgets the pending state of a socket whose connect has settled. */
static void pending_end(struct sock *s, uint64_t ino)
{
	pthread_mutex_lock(&pend_lock);
	if (pend_tab[ino % PEND_SLOTS].ino == ino)
		pend_tab[ino % PEND_SLOTS].ino = 0;
	pthread_mutex_unlock(&pend_lock);
	s->bits &= ~(unsigned)M_PENDING;
	sc_mark_set(s->fd, s->bits);
}

static void on_connect(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 2);
	struct sock s;
	int rc, k;

	if (sc_read_addr(c, sc_arg(c, 1), len, &a) < 0 ||
	    (a.sa.sa_family != AF_INET && a.sa.sa_family != AF_INET6 &&
	     !(a.sa.sa_family == AF_UNSPEC)))
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, sc_bcast_dest(&a, len)) < 0)
		return;
	if ((k = sc_route_of(&s, &a, len)) == K_CONVERTED) {
		rc = t64_connect_logic(sc_connect, s.fd, &a.sa, len);
		pending_save(&s);
		sc_answer_rc(c, rc);
	} else if (k == K_MAPPED) {
		rc = t64_mapped_connect(sc_connect, s.fd, &a.sa, len);
		sc_mapped_done(&s);
		pending_save(&s);
		sc_answer_rc(c, rc);
	}
	sc_release(c);
}

static void on_bind(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 2);
	struct sock s;
	int rc;

	if (sc_read_addr(c, sc_arg(c, 1), len, &a) < 0 || a.sa.sa_family != AF_INET)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (sc_converted(&s)) {
		rc = t64_bind_logic(bind, s.fd, &a.sa, len);
		if (rc == 0 && (t64_fd_get(s.fd) & T64_FD_V4ONLY))
			sc_mark_set(s.fd, s.bits | M_V4ONLY);
		sc_answer_rc(c, rc);
	}
	sc_release(c);
}

static void on_name(struct sc_call *c, int peer)
{
	union addr a;
	socklen_t room, alen = sizeof a;
	struct sock s;
	int rc;

	if (sc_read_len(c, sc_arg(c, 2), &room) < 0)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (sc_converted(&s)) {
		alen = room < sizeof a ? room : sizeof a;
		rc = t64_name_logic(peer ? (t64_fn_getsockname *)getpeername : getsockname, peer, s.fd,
				    &a.sa, &alen);
		if (rc == 0 && sc_out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
			sc_answer(c, -1, EFAULT);
		else
			sc_answer_rc(c, rc);
	} else if ((s.bits & M_MAPPED) && peer) {
		alen = room < sizeof a ? room : sizeof a;
		rc = t64_mapped_peername(getpeername, s.fd, &a.sa, &alen);
		if (rc == 0 && sc_out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
			sc_answer(c, -1, EFAULT);
		else
			sc_answer_rc(c, rc);
	}
	sc_release(c);
}

static void on_accept(struct sc_call *c, int four)
{
	union addr a;
	socklen_t room, alen;
	int flags = four ? (int)sc_arg(c, 3) : 0, nfd, fl;
	int64_t deadline = 0;
	struct sock s;

	if (sc_read_len(c, sc_arg(c, 2), &room) < 0 || (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (!sc_converted(&s))
		goto out;
	fl = fcntl(s.fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		deadline = sc_deadline_of(s.fd, SO_RCVTIMEO);
	else
		fl = -1;
	for (;;) {
		/* A blocking listener: wait here, then take the connection without blocking. */
		if (fl >= 0) {
			int w = sc_wait_for(s.fd, POLLIN, deadline, 1);

			if (w < 0 && errno == EBUSY)
				goto out; /* the kernel waits: the peer in its AF_INET6 form, but no call held up */
			if (w <= 0) {
				sc_answer(c, -1, w == 0 ? EAGAIN : EINTR);
				goto out;
			}
		}
		alen = room < sizeof a ? room : sizeof a;
		nfd = t64_accept_logic(accept4, NULL, s.fd, &a.sa, &alen, flags | SOCK_CLOEXEC);
		if (nfd >= 0 || errno != EAGAIN || fl < 0)
			break;
	}
	if (nfd < 0) {
		sc_answer_rc(c, -1);
		goto out;
	}
	sc_mark_set(nfd, (s.bits & M_DGRAM) | M_ACCEPTED);
	t64_fd_forget(nfd);
	if (sc_out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
		sc_answer(c, -1, EFAULT);
	else
		sc_answer_fd(c, nfd, flags & SOCK_CLOEXEC);
	close(nfd);
out:
	sc_release(c);
}

/*
 * on_getsockopt answers getsockopt(SOL_SOCKET, SO_DOMAIN) of a converted
 * socket with AF_INET, and SO_ERROR of one whose NAT64 connect was in
 * progress through lib/core's late fallback (t64_pending_error: an
 * unreachable NAT64 connects again over IPv4, and the program reads how
 * that connect ended, or 0 while it goes on), and the option a socket of
 * ours keeps its mark in with its default (TCP_NOTSENT_LOWAT 0,
 * SO_RCVLOWAT 1: what is in force, on_setsockopt sets no other).
 * Everything else is the kernel's.
 */
static void on_getsockopt(struct sc_call *c)
{
	int level = (int)sc_arg(c, 1), opt = (int)sc_arg(c, 2), v = 0;
	socklen_t room, l = sizeof v;
	uint64_t ino = 0;
	struct sock s;

	if (sc_arg(c, 3) == 0 || sc_read_len(c, sc_arg(c, 4), &room) < 0 || room < sizeof v)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (sc_mark_option(&s, level, opt)) {
		v = level == SOL_SOCKET ? 1 : 0; /* the default, in force: the program's own value was not set */
		goto answer;
	}
	/* SO_DOMAIN: lib/core's answer for a converted socket; SO_ERROR: for one whose NAT64 connect may fall back. */
	if (level != SOL_SOCKET || opt == SO_RCVLOWAT ||
	    (opt == SO_DOMAIN ? !sc_converted(&s) : (!(s.bits & M_PENDING) || pending_load(&s, &ino) < 0)))
		goto out;
	if (opt == SO_ERROR)
		sc_pool_wait_begin(); /* the IPv4 connect of a late fallback is waited for, up to 250 ms: others go on */
	if (t64_getsockopt_logic(getsockopt, t64_fd_get(s.fd), s.fd, SOL_SOCKET, opt, &v, &l) < 0) {
		sc_answer_rc(c, -1);
		goto out;
	}
	if (opt == SO_ERROR && !(t64_fd_get(s.fd) & T64_FD_PENDING))
		pending_end(&s, ino);
answer:
	if (sc_write(c, sc_arg(c, 3), &v, sizeof v) < 0 || sc_write(c, sc_arg(c, 4), &l, sizeof l) < 0)
		sc_answer(c, -1, EFAULT);
	else
		sc_answer(c, 0, 0);
out:
	sc_release(c);
}

/*
 * on_setsockopt: an IPv4 option with an IPv6 twin on a converted socket
 * is set both ways by lib/core, so NAT64 traffic gets it too. The option
 * a socket of ours keeps its mark in is not set (the call succeeds): a
 * low-water mark of the program's own would make the socket look like the
 * program's, and its IPv4 destinations unreachable (TCP_NOTSENT_LOWAT then
 * stays "no limit"; SO_RCVLOWAT does nothing on a datagram socket).
 */
static void on_setsockopt(struct sc_call *c)
{
	unsigned char val[64];
	socklen_t len = (socklen_t)sc_arg(c, 4);
	struct sock s;

	if (sc_arg(c, 3) == 0 || len == 0 || len > sizeof val || sc_read(c, sc_arg(c, 3), val, len) < 0)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (sc_mark_option(&s, (int)sc_arg(c, 1), (int)sc_arg(c, 2)))
		sc_answer(c, len < sizeof(int) ? -1 : 0, len < sizeof(int) ? EINVAL : 0); /* the mark stays */
	else if (sc_converted(&s))
		sc_answer_rc(c, t64_setsockopt_logic(setsockopt, s.fd, (int)sc_arg(c, 1), (int)sc_arg(c, 2), val, len));
	sc_release(c);
}

/* sc_handle answers one notified call; what it does not answer runs in the kernel as made. */
void sc_handle(struct sc_call *c)
{
	int nr = c->req->data.nr;

	sc_current = c;
	if (nr == SYS_socket)
		on_socket(c);
	else if (nr == SYS_connect)
		on_connect(c);
	else if (nr == SYS_bind)
		on_bind(c);
	else if (nr == SYS_sendto)
		sc_on_sendto(c);
	else if (nr == SYS_sendmsg)
		sc_on_sendmsg(c);
	else if (nr == SYS_sendmmsg)
		sc_on_sendmmsg(c);
	else if (nr == SYS_recvfrom)
		sc_on_recvfrom(c);
	else if (nr == SYS_recvmsg)
		sc_on_recvmsg(c);
	else if (nr == SYS_recvmmsg)
		sc_on_recvmmsg(c);
	else if (nr == SYS_getsockname)
		on_name(c, 0);
	else if (nr == SYS_getpeername)
		on_name(c, 1);
	else if (nr == SYS_accept)
		on_accept(c, 0);
	else if (nr == SYS_accept4)
		on_accept(c, 1);
	else if (nr == SYS_getsockopt)
		on_getsockopt(c);
	else if (nr == SYS_setsockopt)
		on_setsockopt(c);
	sc_call_end(c);
	sc_current = NULL;
}

