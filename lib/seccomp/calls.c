#include "calls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "calls/bind.h"
#include "calls/connect.h"
#include "calls/dgram.h"
#include "calls/send.h"
#include "calls/mapped.h"
#include "calls/options.h"
#include "calls/socket.h"
#include "calls/sockname.h"
#include "config/settings.h"
#include "plan/bcast.h"
#include "plan/pending.h"
#include "pool.h"
#include "profile.h"
#include "sock/fdtab.h"

/*
 * Which sockets are ours is kept in the socket itself, so that it follows
 * the socket through fork, dup, SCM_RIGHTS and exec with no table to keep
 * in step, in an option whose value changes nothing the program sees:
 * - TCP: TCP_NOTSENT_LOWAT, whose default is "no limit"; ours is
 *   STREAM_MARK | bits, about 2 GB of unsent data, more than any send
 *   buffer holds: also no limit;
 * - UDP: IPV6_MULTICAST_HOPS, which the IPv4-side traffic of a converted
 *   socket never uses (IPv4 multicast through a dual-stack socket follows
 *   IP_MULTICAST_TTL): DGRAM_MARK | bits.
 * An accepted socket inherits its listener's value. A program that sets
 * the option itself on a converted socket makes it look like its own.
 */
#define STREAM_MARK 0x7fffffe0
#define DGRAM_MARK 0xe0
#define MARK_BITS 0x1f
enum {
	M_DGRAM = 1,
	M_V4ONLY = 2,
	M_ACCEPTED = 4,
	M_MAPPED = 8,   /* the program's own AF_INET6 socket that dialled ::ffff:a.b.c.d */
	M_PENDING = 16, /* a NAT64 connect in progress that may fall back (pending_save) */
	M_MARKED = 0x100,
};

/* Data of a send or a receive passes through here: at most one datagram. */
#define DATA_MAX 65536

struct sock {
	int fd;        /* our copy of the caller's fd */
	unsigned bits; /* M_*; 0 when the socket is not ours */
};

static unsigned dgram_mark(int fd)
{
	int v = 0;
	socklen_t l = sizeof v;

	if (getsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, &l) == 0 && (v & ~MARK_BITS) == DGRAM_MARK)
		return M_MARKED | M_DGRAM | (unsigned)(v & MARK_BITS);
	return 0;
}

/* mark_get reads the mark, asking first where it is likelier (dgram: a datagram call). */
static unsigned mark_get(int fd, int dgram)
{
	int v = 0;
	socklen_t l = sizeof v;
	unsigned m;

	if (dgram && (m = dgram_mark(fd)) != 0)
		return m;
	if (getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &l) == 0)
		return (v & ~MARK_BITS) == STREAM_MARK ? M_MARKED | (unsigned)(v & MARK_BITS) : 0;
	return dgram ? 0 : dgram_mark(fd);
}

static int mark_set(int fd, unsigned bits)
{
	int v = (int)(bits & MARK_BITS);

	if (bits & M_DGRAM)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (v |= DGRAM_MARK, &v), sizeof v);
	v |= STREAM_MARK;
	return setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, sizeof v);
}

/*
 * sock_open takes the caller's fd tfd: our copy, its mark, and the fd
 * table state lib/core reads (converted, datagram, IPv4 only, accepted,
 * SO_BROADCAST, asked only when the call goes to an a.b.c.255 address:
 * want_bcast) for our copy's number; dgram: a datagram call. Returns 0,
 * or -1 (not a socket we can see: the kernel answers the call).
 */
static int sock_open(struct sc_call *c, uint64_t tfd, struct sock *s, int dgram, int want_bcast)
{
	unsigned f = T64_FD_KNOWN;
	int on = 0;
	socklen_t l = sizeof on;
	uint64_t t = sc_clock();

	s->bits = 0;
	if (tfd > 0x7fffffff || (s->fd = sc_fd(c, (int)tfd)) < 0)
		return -1;
	s->bits = mark_get(s->fd, dgram);
	if ((s->bits & M_MARKED) && !(s->bits & M_MAPPED))
		f |= T64_FD_CONVERTED;
	if (s->bits & M_MAPPED)
		f |= T64_FD_MAPPED;
	if (s->bits & M_DGRAM) {
		f |= T64_FD_DGRAM;
		if (want_bcast && getsockopt(s->fd, SOL_SOCKET, SO_BROADCAST, &on, &l) == 0 && on)
			f |= T64_FD_BCAST;
	}
	if (s->bits & M_V4ONLY)
		f |= T64_FD_V4ONLY;
	if (s->bits & M_ACCEPTED)
		f |= T64_FD_ACCEPTED;
	t64_fd_set(s->fd, f);
	sc_spent(SC_FD, t);
	return 0;
}


static int converted(const struct sock *s)
{
	return (s->bits & (M_MARKED | M_MAPPED)) == M_MARKED;
}

static void answer_rc(struct sc_call *c, int64_t rc)
{
	sc_answer(c, rc, rc < 0 ? errno : 0);
}

/* The data of a send or a receive: DATA_MAX bytes per receiving thread, made on first need. */
static __thread unsigned char *data;

static unsigned char *data_buf(void)
{
	if (data == NULL)
		data = malloc(DATA_MAX);
	return data;
}

/* sc_thread_end frees what a receiving thread that ends made for itself. */
void sc_thread_end(void)
{
	free(data);
	data = NULL;
}

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
static int64_t deadline_of(int fd, int opt)
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
 * wait_for waits until fd has events, as a blocking call of the program
 * would, while another thread receives notifications; it stops when the
 * caller is gone (killed, or interrupted by a signal: the kernel restarts
 * or fails its call), checked after every wake-up, or at deadline.
 * Returns 1 when ready, 0 at the deadline, -1 with errno EINTR when the
 * caller is gone. With may_pass, when no other thread can receive (the
 * pool's limit: every thread waits already), returns -1 with errno EBUSY
 * at once: the caller lets the kernel wait instead of holding up every
 * other call of the program.
 */
static int wait_for(int fd, short events, int64_t deadline, int may_pass)
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
 * connect_wait waits for fd's connect in progress as a blocking connect
 * would (SO_SNDTIMEO honoured). Returns 0 when connected, or -1 with
 * errno: the connect's error, EINPROGRESS when SO_SNDTIMEO passed (the
 * kernel's answer then too), EINTR when the caller is gone. A failed
 * socket is left as the kernel's failed blocking connect leaves it, ready
 * for the next connect (the attempt engine's next method, or the
 * program's own): after our non-blocking attempt that next connect would
 * only reset it, with ECONNABORTED, so it is reset here (a connect to
 * AF_UNSPEC, which a failed socket takes as a no-op).
 */
static int connect_wait(int fd)
{
	static const struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int rc = wait_for(fd, POLLOUT, deadline_of(fd, SO_SNDTIMEO), 0), err = 0;
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
static int blocking(int fd, int flags)
{
	int fl;

	return !(flags & MSG_DONTWAIT) && (fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK);
}

/*
 * sc_connect is the connect that lib/core's attempt engine calls: for a
 * blocking socket it waits here (connect_wait), not in the kernel, so
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
	return connect_wait(fd);
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
	if (mark_set(fd, kind & T64_FD_DGRAM ? M_DGRAM : 0) < 0) {
		close(fd);
		return;
	}
	if (kind & T64_FD_DGRAM)
		t64_bcast_refresh();
	sc_answer_fd(c, fd, type & SOCK_CLOEXEC);
	close(fd);
}

union addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_storage ss;
};

/*
 * read_addr_data reads the caller's address argument (p, len) and, when n
 * is not 0, n bytes of data at d into buf in the same read. Returns 0, or
 * -1 (the kernel answers).
 */
static int read_addr_data(struct sc_call *c, uint64_t p, uint64_t len, union addr *a, uint64_t d, void *buf,
			  size_t n)
{
	if (p == 0 || len < sizeof(sa_family_t) || len > sizeof *a)
		return -1;
	memset(a, 0, sizeof *a);
	return n == 0 ? sc_read(c, p, a, (size_t)len) : sc_read2(c, p, a, (size_t)len, d, buf, n);
}

/* read_addr reads the caller's address argument (p, len). Returns 0, or -1 (the kernel answers). */
static int read_addr(struct sc_call *c, uint64_t p, uint64_t len, union addr *a)
{
	return read_addr_data(c, p, len, a, 0, NULL, 0);
}

/* Whether a goes to an a.b.c.255 address (a directed broadcast where the socket has SO_BROADCAST). */
static int bcast_dest(const union addr *a, socklen_t len)
{
	if (a->sa.sa_family == AF_INET && len >= sizeof a->sin)
		return (ntohl(a->sin.sin_addr.s_addr) & 0xff) == 0xff;
	return a->sa.sa_family == AF_INET6 && len >= sizeof a->sin6 &&
	       IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr) && a->sin6.sin6_addr.s6_addr[15] == 0xff;
}

enum { K_KERNEL, K_CONVERTED, K_MAPPED };

/*
 * route_of says who answers a call to destination a on the caller's
 * socket s: lib/core for a converted socket (K_CONVERTED), or for the
 * program's own AF_INET6 socket going to ::ffff:a.b.c.d (K_MAPPED:
 * calls/mapped.c, which asks the kernel whether the socket may), else
 * the kernel.
 */
static int route_of(const struct sock *s, const union addr *a, socklen_t len)
{
	if (converted(s))
		return K_CONVERTED;
	if (a->sa.sa_family == AF_INET6 && len >= sizeof a->sin6 &&
	    IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr))
		return K_MAPPED;
	return K_KERNEL;
}

/* mapped_done marks a socket lib/core has just taken as mapped, for the calls to come. */
static void mapped_done(struct sock *s)
{
	unsigned f = t64_fd_get(s->fd), bits;

	if (!(f & T64_FD_MAPPED) || (s->bits & M_MAPPED))
		return;
	bits = M_MAPPED | (f & T64_FD_DGRAM ? M_DGRAM : 0) | (f & T64_FD_V4ONLY ? M_V4ONLY : 0);
	if (mark_set(s->fd, bits) == 0)
		s->bits = M_MARKED | bits; /* what a later mark_set of this call (pending_save) builds on */
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
	if (mark_set(s->fd, (s->bits & MARK_BITS) | M_PENDING) == 0)
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
	mark_set(s->fd, s->bits & MARK_BITS);
}

static void on_connect(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 2);
	struct sock s;
	int rc, k;

	if (read_addr(c, sc_arg(c, 1), len, &a) < 0 ||
	    (a.sa.sa_family != AF_INET && a.sa.sa_family != AF_INET6 &&
	     !(a.sa.sa_family == AF_UNSPEC)))
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, bcast_dest(&a, len)) < 0)
		return;
	if ((k = route_of(&s, &a, len)) == K_CONVERTED) {
		rc = t64_connect_logic(sc_connect, s.fd, &a.sa, len);
		pending_save(&s);
		answer_rc(c, rc);
	} else if (k == K_MAPPED) {
		rc = t64_mapped_connect(sc_connect, s.fd, &a.sa, len);
		mapped_done(&s);
		pending_save(&s);
		answer_rc(c, rc);
	}
	sc_release(c);
}

static void on_bind(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 2);
	struct sock s;
	int rc;

	if (read_addr(c, sc_arg(c, 1), len, &a) < 0 || a.sa.sa_family != AF_INET)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (converted(&s)) {
		rc = t64_bind_logic(bind, s.fd, &a.sa, len);
		if (rc == 0 && (t64_fd_get(s.fd) & T64_FD_V4ONLY))
			mark_set(s.fd, s.bits | M_V4ONLY);
		answer_rc(c, rc);
	}
	sc_release(c);
}

/*
 * send_wait waits for room in fd's buffer as the blocking send would
 * (SO_SNDTIMEO honoured), noticing the caller giving up (so the data is
 * not sent after all). Returns 0 when there is room, -1 with errno EAGAIN
 * (SO_SNDTIMEO passed) or EINTR.
 */
static int send_wait(int fd, int64_t *deadline)
{
	int w;

	if (*deadline < 0)
		*deadline = deadline_of(fd, SO_SNDTIMEO);
	if ((w = wait_for(fd, POLLOUT, *deadline, 0)) == 0)
		errno = EAGAIN;
	return w > 0 ? 0 : -1;
}

/* One send lib/core asks for: with sendto, or (msg set) with sendmsg. */
struct send {
	int fd;
	const void *buf;
	size_t n;
	const struct sockaddr *to;
	socklen_t len;
	struct msghdr m;
	int msg;
};

static ssize_t send_once(const struct send *s, int flags)
{
	return s->msg ? sendmsg(s->fd, &s->m, flags) : sendto(s->fd, s->buf, s->n, flags, s->to, s->len);
}

/*
 * send_as_asked makes send s as the program asked it, never blocking in
 * the kernel: a blocking socket whose buffer is full waits in send_wait
 * and tries again, so a caller interrupted meanwhile does not have its
 * data sent behind its back (it may send it again itself). A blocking
 * MSG_FASTOPEN send whose connect goes in progress (no cookie yet: no data
 * in the SYN) waits for the connect as a blocking one would, then sends.
 */
static ssize_t send_as_asked(struct send *s, int flags)
{
	int64_t deadline = -1;
	int blocks = -1;
	ssize_t rc;

	while ((rc = send_once(s, flags | MSG_DONTWAIT)) < 0 && errno == EAGAIN) {
		if (blocks < 0 && !(blocks = blocking(s->fd, flags)))
			break;
		if (send_wait(s->fd, &deadline) < 0)
			return -1;
	}
	if (rc < 0 && errno == EINPROGRESS && (flags & MSG_FASTOPEN) && blocking(s->fd, flags)) {
		if (connect_wait(s->fd) < 0)
			return -1;
		s->to = NULL;
		s->len = 0;
		s->m.msg_name = NULL;
		s->m.msg_namelen = 0;
		return send_as_asked(s, flags & ~MSG_FASTOPEN);
	}
	return rc;
}

/* sc_sendto and sc_sendmsg are the sends lib/core calls (send_as_asked). */
static ssize_t sc_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t len)
{
	struct send s = { .fd = fd, .buf = buf, .n = n, .to = to, .len = len };

	return send_as_asked(&s, flags);
}

static ssize_t sc_sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct send s = { .fd = fd, .m = *m, .msg = 1 };

	return send_as_asked(&s, flags);
}

/*
 * A datagram up to this size is read with its address, before we know
 * whether we answer the call: one read instead of two for the sendto we
 * translate, a wasted copy of at most this much for one the kernel makes.
 */
#define PREREAD_MAX 4096

static void on_sendto(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 5);
	size_t n = (size_t)sc_arg(c, 2);
	unsigned char *buf = data_buf();
	struct sock s;
	ssize_t rc;
	int k, have;

	/* A fault in the data is the answer's (EFAULT): read the address alone then, as for a longer datagram. */
	have = buf != NULL && n > 0 && n <= PREREAD_MAX &&
	       read_addr_data(c, sc_arg(c, 4), len, &a, sc_arg(c, 1), buf, n) == 0;
	if (!have && read_addr(c, sc_arg(c, 4), len, &a) < 0)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 1, bcast_dest(&a, len)) < 0)
		return;
	if ((k = route_of(&s, &a, len)) != K_KERNEL && buf != NULL) {
		if (n > DATA_MAX && (s.bits & M_DGRAM)) {
			sc_answer(c, -1, EMSGSIZE);
		} else {
			if (n > DATA_MAX)
				n = DATA_MAX; /* a stream may take less than asked */
			if (!have && sc_read(c, sc_arg(c, 1), buf, n) < 0) {
				sc_answer(c, -1, EFAULT);
			} else {
				if (k == K_CONVERTED) {
					rc = t64_sendto_logic(sc_sendto, s.fd, buf, n, (int)sc_arg(c, 3), &a.sa, len);
				} else {
					rc = t64_mapped_sendto(sc_sendto, s.fd, buf, n, (int)sc_arg(c, 3), &a.sa, len);
					mapped_done(&s);
				}
				answer_rc(c, rc);
			}
		}
	}
	sc_release(c);
}

/* As many iovecs as the kernel takes in one msghdr (UIO_MAXIOV); more: EMSGSIZE, as there. */
#define IOV_MAX_KERNEL 1024

/*
 * gather reads the caller's msghdr m (iovecs and control data) into ours:
 * one iovec in data_buf(), the control data in ctl. A datagram longer
 * than DATA_MAX is EMSGSIZE; a stream takes its first DATA_MAX bytes (a
 * short send, as for sendto). Returns 0, or -1 with errno (EFAULT,
 * EMSGSIZE, ENOBUFS).
 */
static int gather(struct sc_call *c, struct msghdr *m, int stream, unsigned char *ctl, size_t ctlroom, size_t *total)
{
	static __thread struct iovec iov[IOV_MAX_KERNEL];
	unsigned char *buf = data_buf();
	size_t n = 0, k;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	size_t iovlen = (size_t)m->msg_iovlen; /* int in musl */

	if (iovlen > IOV_MAX_KERNEL) {
		errno = EMSGSIZE;
		return -1;
	}
	if (sc_read(c, (uintptr_t)m->msg_iov, iov, iovlen * sizeof iov[0]) < 0)
		return -1;
	for (size_t i = 0; i < iovlen; i++) {
		k = iov[i].iov_len;
		if (k > DATA_MAX - n) {
			if (!stream) {
				errno = EMSGSIZE;
				return -1;
			}
			iov[i].iov_len = DATA_MAX - n;
			iovlen = i + 1;
		}
		n += iov[i].iov_len;
	}
	if (sc_readv(c, iov, iovlen, buf, n) < 0)
		return -1;
	if ((size_t)m->msg_controllen > ctlroom) {
		errno = ENOBUFS;
		return -1;
	}
	if (m->msg_control != NULL && sc_read(c, (uintptr_t)m->msg_control, ctl, m->msg_controllen) < 0)
		return -1;
	if (m->msg_control != NULL)
		m->msg_control = ctl;
	*total = n;
	return 0;
}

static void on_sendmsg(struct sc_call *c)
{
	union {
		struct cmsghdr align;
		unsigned char b[4096];
	} ctl;
	struct msghdr m;
	struct iovec one;
	union addr a;
	struct sock s;
	size_t n;
	ssize_t rc;
	int k;

	if (sc_arg(c, 1) == 0 || sc_read(c, sc_arg(c, 1), &m, sizeof m) < 0 ||
	    m.msg_name == NULL || m.msg_namelen == 0 ||
	    read_addr(c, (uintptr_t)m.msg_name, m.msg_namelen, &a) < 0)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 1, bcast_dest(&a, m.msg_namelen)) < 0)
		return;
	if ((k = route_of(&s, &a, m.msg_namelen)) != K_KERNEL) {
		if (gather(c, &m, !(s.bits & M_DGRAM), ctl.b, sizeof ctl.b, &n) < 0) {
			answer_rc(c, -1);
		} else {
			one.iov_base = data_buf();
			one.iov_len = n;
			m.msg_iov = &one;
			m.msg_iovlen = 1;
			m.msg_name = &a;
			if (k == K_CONVERTED) {
				rc = t64_sendmsg_logic(sc_sendmsg, s.fd, &m, (int)sc_arg(c, 2));
			} else {
				rc = t64_mapped_sendmsg(sc_sendmsg, s.fd, &m, (int)sc_arg(c, 2));
				mapped_done(&s);
			}
			answer_rc(c, rc);
		}
	}
	sc_release(c);
}

/* out writes an address going out (ours, alen bytes of it) to the caller's (p, lenp) as the kernel would. */
static int out_addr(struct sc_call *c, uint64_t p, uint64_t lenp, socklen_t room,
		    const void *addr, socklen_t alen)
{
	socklen_t n = alen < room ? alen : room;

	if (sc_write(c, p, addr, n) < 0 || sc_write(c, lenp, &alen, sizeof alen) < 0)
		return -1;
	return 0;
}

static int read_len(struct sc_call *c, uint64_t lenp, socklen_t *room)
{
	if (lenp == 0 || sc_read(c, lenp, room, sizeof *room) < 0)
		return -1;
	return (int)*room < 0 ? -1 : 0;
}

static void on_recvfrom(struct sc_call *c)
{
	union addr a;
	socklen_t room, alen;
	size_t n = (size_t)sc_arg(c, 2);
	int flags = (int)sc_arg(c, 3), fl;
	unsigned char *buf = data_buf();
	int64_t deadline = 0;
	struct sock s;
	ssize_t rc;

	if (buf == NULL || read_len(c, sc_arg(c, 5), &room) < 0)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 1, 0) < 0)
		return;
	if (!(s.bits & M_MARKED) || !(s.bits & M_DGRAM))
		goto out;
	if (n > DATA_MAX)
		n = DATA_MAX;
	fl = fcntl(s.fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT))
		deadline = deadline_of(s.fd, SO_RCVTIMEO);
	else
		fl = -1; /* not blocking */
	for (;;) {
		alen = room < sizeof a ? room : sizeof a;
		if (s.bits & M_MAPPED) {
			rc = t64_mapped_recvfrom(recvfrom, s.fd, buf, n, flags | MSG_DONTWAIT, &a.sa, &alen);
		} else {
			rc = t64_recvfrom_logic(recvfrom, s.fd, buf, n, flags | MSG_DONTWAIT, &a.sa, &alen);
		}
		if (rc >= 0 || errno != EAGAIN || fl < 0)
			break;
		int w = wait_for(s.fd, POLLIN, deadline, 1);

		if (w < 0 && errno == EBUSY)
			goto out; /* the kernel waits: the sender in its AF_INET6 form, but no call held up */
		if (w <= 0) {
			if (w == 0)
				errno = EAGAIN;
			break;
		}
	}
	if (rc >= 0 && (sc_write(c, sc_arg(c, 1), buf, (size_t)rc < n ? (size_t)rc : n) < 0 ||
			out_addr(c, sc_arg(c, 4), sc_arg(c, 5), room, &a, alen) < 0))
		sc_answer(c, -1, EFAULT);
	else
		answer_rc(c, rc);
out:
	sc_release(c);
}

static void on_name(struct sc_call *c, int peer)
{
	union addr a;
	socklen_t room, alen = sizeof a;
	struct sock s;
	int rc;

	if (read_len(c, sc_arg(c, 2), &room) < 0)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (converted(&s)) {
		alen = room < sizeof a ? room : sizeof a;
		rc = t64_name_logic(peer ? (t64_fn_getsockname *)getpeername : getsockname, peer, s.fd,
				    &a.sa, &alen);
		if (rc == 0 && out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
			sc_answer(c, -1, EFAULT);
		else
			answer_rc(c, rc);
	} else if ((s.bits & M_MAPPED) && peer) {
		alen = room < sizeof a ? room : sizeof a;
		rc = t64_mapped_peername(getpeername, s.fd, &a.sa, &alen);
		if (rc == 0 && out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
			sc_answer(c, -1, EFAULT);
		else
			answer_rc(c, rc);
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

	if (read_len(c, sc_arg(c, 2), &room) < 0 || (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (!converted(&s))
		goto out;
	fl = fcntl(s.fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		deadline = deadline_of(s.fd, SO_RCVTIMEO);
	else
		fl = -1;
	for (;;) {
		/* A blocking listener: wait here, then take the connection without blocking. */
		if (fl >= 0) {
			int w = wait_for(s.fd, POLLIN, deadline, 1);

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
		answer_rc(c, -1);
		goto out;
	}
	mark_set(nfd, (s.bits & M_DGRAM) | M_ACCEPTED);
	t64_fd_forget(nfd);
	if (out_addr(c, sc_arg(c, 1), sc_arg(c, 2), room, &a, alen) < 0)
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
 * unreachable NAT64 connects again over IPv4, and the program reads 0
 * while that connect goes on). Everything else is the kernel's.
 */
static void on_getsockopt(struct sc_call *c)
{
	int opt = (int)sc_arg(c, 2), v = 0;
	socklen_t room, l = sizeof v;
	uint64_t ino = 0;
	struct sock s;

	if (sc_arg(c, 3) == 0 || read_len(c, sc_arg(c, 4), &room) < 0 || room < sizeof v)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	/* SO_DOMAIN: lib/core's answer for a converted socket; SO_ERROR: for one whose NAT64 connect may fall back. */
	if (opt == SO_DOMAIN ? !converted(&s) : (!(s.bits & M_PENDING) || pending_load(&s, &ino) < 0))
		goto out;
	if (t64_getsockopt_logic(getsockopt, t64_fd_get(s.fd), s.fd, SOL_SOCKET, opt, &v, &l) < 0) {
		answer_rc(c, -1);
		goto out;
	}
	if (opt == SO_ERROR && !(t64_fd_get(s.fd) & T64_FD_PENDING))
		pending_end(&s, ino);
	if (sc_write(c, sc_arg(c, 3), &v, sizeof v) < 0 || sc_write(c, sc_arg(c, 4), &l, sizeof l) < 0)
		sc_answer(c, -1, EFAULT);
	else
		sc_answer(c, 0, 0);
out:
	sc_release(c);
}

/*
 * on_setsockopt: an IPv4 option with an IPv6 twin (the filter lets only
 * those through) on a converted socket is set both ways by lib/core, so
 * NAT64 traffic gets it too.
 */
static void on_setsockopt(struct sc_call *c)
{
	unsigned char val[64];
	socklen_t len = (socklen_t)sc_arg(c, 4);
	struct sock s;

	if (sc_arg(c, 3) == 0 || len == 0 || len > sizeof val || sc_read(c, sc_arg(c, 3), val, len) < 0)
		return;
	if (sock_open(c, sc_arg(c, 0), &s, 0, 0) < 0)
		return;
	if (converted(&s))
		answer_rc(c, t64_setsockopt_logic(setsockopt, s.fd, (int)sc_arg(c, 1), (int)sc_arg(c, 2), val, len));
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
		on_sendto(c);
	else if (nr == SYS_sendmsg)
		on_sendmsg(c);
	else if (nr == SYS_recvfrom)
		on_recvfrom(c);
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
