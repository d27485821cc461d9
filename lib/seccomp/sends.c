#include "sends.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "caller.h"
#include "calls/mapped.h"
#include "calls/send.h"
#include "wait.h"

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
		*deadline = sc_deadline_of(fd, SO_SNDTIMEO);
	if ((w = sc_wait_for(fd, POLLOUT, *deadline, 0)) == 0)
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
		if (blocks < 0 && !(blocks = sc_blocking(s->fd, flags)))
			break;
		if (send_wait(s->fd, &deadline) < 0)
			return -1;
	}
	if (rc < 0 && errno == EINPROGRESS && (flags & MSG_FASTOPEN) && sc_blocking(s->fd, flags)) {
		if (sc_connect_wait(s->fd) < 0)
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

void sc_on_sendto(struct sc_call *c)
{
	union addr a;
	socklen_t len = (socklen_t)sc_arg(c, 5);
	size_t n = (size_t)sc_arg(c, 2);
	unsigned char *buf = sc_data_buf();
	struct sock s;
	ssize_t rc;
	int k, have;

	/* A fault in the data is the answer's (EFAULT): read the address alone then, as for a longer datagram. */
	have = buf != NULL && n > 0 && n <= PREREAD_MAX &&
	       sc_read_addr_data(c, sc_arg(c, 4), len, &a, sc_arg(c, 1), buf, n) == 0;
	if (!have && sc_read_addr(c, sc_arg(c, 4), len, &a) < 0)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 1, sc_bcast_dest(&a, len)) < 0)
		return;
	if ((k = sc_route_of(&s, &a, len)) != K_KERNEL && buf != NULL) {
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
					sc_mapped_done(&s);
				}
				sc_answer_rc(c, rc);
			}
		}
	}
	sc_release(c);
}

/*
 * gather reads the caller's msghdr m (iovecs and control data) into ours:
 * one iovec in sc_data_buf(), the control data in ctl. A datagram longer
 * than DATA_MAX is EMSGSIZE; a stream takes its first DATA_MAX bytes (a
 * short send, as for sendto). Returns 0, or -1 with errno (EFAULT,
 * EMSGSIZE, ENOBUFS).
 */
static int gather(struct sc_call *c, struct msghdr *m, int stream, unsigned char *ctl, size_t ctlroom, size_t *total)
{
	unsigned char *buf = sc_data_buf();
	int iovlen;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((iovlen = sc_read_iov(c, m, stream, total)) < 0 || sc_readv(c, sc_their_iov, (size_t)iovlen, buf, *total) < 0)
		return -1;
	if ((size_t)m->msg_controllen > ctlroom) {
		errno = ENOBUFS;
		return -1;
	}
	if (m->msg_control != NULL && sc_read(c, (uintptr_t)m->msg_control, ctl, m->msg_controllen) < 0)
		return -1;
	if (m->msg_control != NULL)
		m->msg_control = ctl;
	return 0;
}

/* msg_addr reads message m's destination into a. Returns 1, 0 when it has none, or -1 with errno for a bad one. */
static int msg_addr(struct sc_call *c, const struct msghdr *m, union addr *a)
{
	if (m->msg_name == NULL || m->msg_namelen == 0)
		return 0;
	if (m->msg_namelen > sizeof *a) {
		errno = EINVAL;
		return -1;
	}
	memset(a, 0, sizeof *a);
	return sc_read(c, (uintptr_t)m->msg_name, a, m->msg_namelen) < 0 ? -1 : 1;
}

/*
 * msg_route says who answers a send of message m on s (sc_route_of for
 * its destination a, when named). With no destination lib/core answers
 * only a converted datagram socket's message with control data: it
 * rewrites IPv4 control messages for a NAT64 peer.
 */
static int msg_route(const struct sock *s, const struct msghdr *m, const union addr *a, int named)
{
	if (named)
		return sc_route_of(s, a, m->msg_namelen);
	return sc_converted(s) && (s->bits & M_DGRAM) && m->msg_control != NULL ? K_CONVERTED : K_KERNEL;
}

/*
 * send_msg makes the caller's send of theirs (its msghdr, read) on our copy s
 * as route k says (a: its destination, read): through lib/core for
 * K_CONVERTED and K_MAPPED, as asked for K_KERNEL. Returns what the send
 * returns, or -1 with errno.
 */
static ssize_t send_msg(struct sc_call *c, struct sock *s, const struct msghdr *theirs, union addr *a, int k,
			int flags)
{
	struct msghdr mm = *theirs, *m = &mm;
	union sc_ctl ctl;
	struct iovec one;
	ssize_t rc;
	size_t n;

	if (gather(c, m, !(s->bits & M_DGRAM), ctl.b, sizeof ctl.b, &n) < 0)
		return -1;
	one.iov_base = sc_data_buf();
	one.iov_len = n;
	m->msg_iov = &one;
	m->msg_iovlen = 1;
	if (m->msg_name != NULL)
		m->msg_name = a;
	if (k == K_CONVERTED)
		return t64_sendmsg_logic(sc_sendmsg, s->fd, m, flags);
	if (k == K_KERNEL)
		return sc_sendmsg(s->fd, m, flags);
	rc = t64_mapped_sendmsg(sc_sendmsg, s->fd, m, flags);
	sc_mapped_done(s);
	return rc;
}

void sc_on_sendmsg(struct sc_call *c)
{
	struct msghdr m;
	union addr a;
	struct sock s;
	int k, named;

	if (sc_arg(c, 1) == 0 || sc_read(c, sc_arg(c, 1), &m, sizeof m) < 0 || (named = msg_addr(c, &m, &a)) < 0 ||
	    (!named && m.msg_control == NULL))
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 1, named && sc_bcast_dest(&a, m.msg_namelen)) < 0)
		return;
	if ((k = msg_route(&s, &m, &a, named)) != K_KERNEL)
		sc_answer_rc(c, send_msg(c, &s, &m, &a, k, (int)sc_arg(c, 2)));
	sc_release(c);
}

/*
 * lens_out writes the msg_len of the first n messages of v to the
 * caller's array at p, and nothing else of it, as the kernel does: one
 * write. Returns 0, or -1 with errno.
 */
static int lens_out(struct sc_call *c, uint64_t p, const struct mmsghdr *v, unsigned n)
{
	struct iovec mine, *theirs = malloc(n * (sizeof *theirs + sizeof v->msg_len));
	unsigned *lens = (unsigned *)(theirs + n);
	int rc;

	if (theirs == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		lens[i] = v[i].msg_len;
		theirs[i].iov_base = (void *)(uintptr_t)(p + i * sizeof *v + offsetof(struct mmsghdr, msg_len));
		theirs[i].iov_len = sizeof lens[i];
	}
	mine.iov_base = lens;
	mine.iov_len = n * sizeof *lens;
	rc = sc_writev(c, &mine, 1, theirs, n, mine.iov_len);
	free(theirs);
	return rc;
}

/*
 * sc_on_sendmmsg: when one message of the vector goes where lib/core
 * answers (a converted socket, an IPv4-mapped destination), every
 * message is sent here, one by one, as sendmsg would send it, and the
 * caller's msg_len set for those sent. As the kernel: the count sent, or
 * -1 with the first message's error.
 */
void sc_on_sendmmsg(struct sc_call *c)
{
	unsigned vlen = (unsigned)sc_arg(c, 2), sent = 0, i;
	int flags = (int)sc_arg(c, 3), k = K_KERNEL, named;
	uint64_t p = sc_arg(c, 1);
	struct mmsghdr *v;
	union addr a;
	struct sock s;
	ssize_t rc = 0;

	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	if ((v = sc_read_vec(c, p, vlen)) == NULL)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 1, 1) < 0)
		goto out;
	for (i = 0; i < vlen && k == K_KERNEL; i++)
		k = (named = msg_addr(c, &v[i].msg_hdr, &a)) < 0 ? -1 : msg_route(&s, &v[i].msg_hdr, &a, named);
	if (k == K_KERNEL || k < 0)
		goto out; /* nothing of ours before the first bad message: the kernel sends and fails alike */
	for (i = 0; i < vlen; i++) {
		if ((named = msg_addr(c, &v[i].msg_hdr, &a)) < 0)
			break;
		k = msg_route(&s, &v[i].msg_hdr, &a, named);
		if ((rc = send_msg(c, &s, &v[i].msg_hdr, &a, k, flags)) < 0)
			break;
		v[sent++].msg_len = (unsigned)rc;
	}
	if (sent == 0)
		sc_answer_rc(c, -1);
	else if (lens_out(c, p, v, sent) < 0)
		sc_answer(c, -1, EFAULT);
	else
		sc_answer(c, (int64_t)sent, 0);
out:
	free(v);
	sc_release(c);
}

