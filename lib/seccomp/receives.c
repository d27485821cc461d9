#include "receives.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "caller.h"
#include "calls/dgram.h"
#include "calls/mapped.h"
#include "calls/options.h"
#include "sock/fdtab.h"
#include "wait.h"

void sc_on_recvfrom(struct sc_call *c)
{
	union addr a;
	socklen_t room, alen;
	size_t n = (size_t)sc_arg(c, 2);
	int flags = (int)sc_arg(c, 3), blocks, again;
	unsigned char *buf = sc_data_buf();
	int64_t deadline = -1;
	struct sock s;
	ssize_t rc;

	if (buf == NULL || sc_read_len(c, sc_arg(c, 5), &room) < 0)
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 1, 0) < 0)
		return;
	if (!sc_receives_ours(&s))
		goto out;
	if (n > DATA_MAX)
		n = DATA_MAX;
	blocks = sc_blocking(s.fd, flags);
	do {
		alen = room < sizeof a ? room : sizeof a;
		if (s.bits & M_MAPPED) {
			rc = t64_mapped_recvfrom(recvfrom, s.fd, buf, n, flags | MSG_DONTWAIT, &a.sa, &alen);
		} else {
			rc = t64_recvfrom_logic(recvfrom, s.fd, buf, n, flags | MSG_DONTWAIT, &a.sa, &alen);
		}
	} while (rc < 0 && (again = sc_recv_retry(s.fd, blocks, &deadline)) > 0);
	if (rc < 0 && again < 0)
		goto out; /* the kernel waits: the sender in its AF_INET6 form, but no call held up */
	if (rc >= 0 && (sc_write(c, sc_arg(c, 1), buf, (size_t)rc < n ? (size_t)rc : n) < 0 ||
			sc_out_addr(c, sc_arg(c, 4), sc_arg(c, 5), room, &a, alen) < 0))
		sc_answer(c, -1, EFAULT);
	else
		sc_answer_rc(c, rc);
out:
	sc_release(c);
}

/*
 * recv_msg receives one datagram on our copy s for the caller's message
 * mm (hdr_len bytes at p: its msghdr for recvmsg, its mmsghdr for
 * recvmmsg), through lib/core (the sender in the form the program
 * expects, an error queue's control messages in IPv4 form), into our
 * buffers, then out to the caller's as the kernel writes them: the data,
 * then the name, the control data and the header's msg_namelen,
 * msg_controllen, msg_flags (and msg_len) in one write. twins: an IPv6
 * twin of an IPv4 ancillary-data option is on (rewritten). A call that
 * blocks waits here (sc_recv_retry). Returns the datagram's length, or -1
 * with errno; EBUSY: no thread left to wait, nothing taken (the kernel
 * must answer).
 */
static ssize_t recv_msg(struct sc_call *c, const struct sock *s, uint64_t p, struct mmsghdr *mm, size_t hdr_len,
			int flags, int blocks, int twins)
{
	union sc_ctl ctl;
	struct msghdr *theirs = &mm->msg_hdr, m = *theirs;
	socklen_t room = theirs->msg_namelen;
	unsigned char *buf = sc_data_buf();
	struct iovec one, mine[3], out[3];
	int64_t deadline = -1;
	int iovlen, again, k = 0;
	union addr a;
	ssize_t rc;
	size_t n, len;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((iovlen = sc_read_iov(c, theirs, 1, &n)) < 0)
		return -1;
	one.iov_base = buf;
	one.iov_len = n;
	m.msg_iov = &one;
	m.msg_iovlen = 1;
	m.msg_name = theirs->msg_name != NULL ? &a : NULL;
	m.msg_namelen = (int)room < 0 || room < sizeof a ? room : sizeof a; /* the kernel clips a longer one */
	m.msg_control = theirs->msg_control != NULL && theirs->msg_controllen > 0 ? ctl.b : NULL;
	m.msg_controllen = m.msg_control == NULL ? 0 :
			   theirs->msg_controllen < sizeof ctl ? theirs->msg_controllen : sizeof ctl;
	if (twins)
		t64_fd_or(s->fd, T64_FD_TWIN);
	do {
		rc = t64_recvmsg_logic(recvmsg, s->fd, &m, flags | MSG_DONTWAIT);
	} while (rc < 0 && (again = sc_recv_retry(s->fd, blocks, &deadline)) > 0);
	if (rc < 0) {
		if (again < 0)
			errno = EBUSY;
		return -1;
	}
	one.iov_len = (size_t)rc < n ? (size_t)rc : n;
	if (sc_writev(c, &one, 1, sc_their_iov, (size_t)iovlen, one.iov_len) < 0)
		return -1;
	len = 0;
	if (theirs->msg_name != NULL) {
		size_t name = m.msg_namelen < room ? m.msg_namelen : room; /* truncated, as POSIX says */

		mine[k] = (struct iovec){ &a, name };
		out[k++] = (struct iovec){ theirs->msg_name, name };
		len += name;
		theirs->msg_namelen = m.msg_namelen;
	}
	if (m.msg_control != NULL && m.msg_controllen > 0) {
		mine[k] = (struct iovec){ ctl.b, m.msg_controllen };
		out[k++] = (struct iovec){ theirs->msg_control, m.msg_controllen };
		len += m.msg_controllen;
	}
	theirs->msg_controllen = m.msg_control == NULL ? 0 : m.msg_controllen;
	theirs->msg_flags = m.msg_flags;
	mm->msg_len = (unsigned)rc;
	mine[k] = (struct iovec){ mm, hdr_len };
	out[k++] = (struct iovec){ (void *)(uintptr_t)p, hdr_len };
	len += hdr_len;
	if (sc_writev(c, mine, (size_t)k, out, (size_t)k, len) < 0)
		return -1;
	return rc;
}

/*
 * recv_ours says whether lib/core answers a receive on s (flags) whose
 * messages ask for a sender (named) or carry control room (control): a
 * datagram socket of ours and a sender to show, or a converted socket
 * whose ancillary data comes in IPv6 form (an error queue, an IPv6 twin
 * option on: *twins).
 */
static int recv_ours(const struct sock *s, int flags, int named, int control, int *twins)
{
	*twins = 0;
	if (!sc_receives_ours(s))
		return 0;
	if (sc_converted(s) && control && !(flags & MSG_ERRQUEUE))
		*twins = t64_twins_on(getsockopt, s->fd);
	return named || (sc_converted(s) && ((flags & MSG_ERRQUEUE) || *twins));
}

/* sc_on_recvmsg answers a recvmsg that lib/core answers for (recv_ours) with recv_msg; any other runs in the kernel. */
void sc_on_recvmsg(struct sc_call *c)
{
	int flags = (int)sc_arg(c, 2), twins;
	struct mmsghdr mm;
	struct sock s;
	ssize_t rc;

	if (sc_arg(c, 1) == 0 || sc_read(c, sc_arg(c, 1), &mm.msg_hdr, sizeof mm.msg_hdr) < 0 ||
	    (mm.msg_hdr.msg_name == NULL && mm.msg_hdr.msg_control == NULL))
		return;
	if (sc_sock_open(c, sc_arg(c, 0), &s, 1, 0) < 0)
		return;
	if (recv_ours(&s, flags, mm.msg_hdr.msg_name != NULL, mm.msg_hdr.msg_control != NULL, &twins)) {
		rc = recv_msg(c, &s, sc_arg(c, 1), &mm, sizeof mm.msg_hdr, flags,
			      sc_blocking(s.fd, flags) && !(flags & MSG_ERRQUEUE), twins);
		if (rc >= 0 || errno != EBUSY)
			sc_answer_rc(c, rc);
	}
	sc_release(c);
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * sc_on_recvmmsg: a vector lib/core answers for (recv_ours) is received
 * here one datagram at a time (recv_msg), as the kernel does: every
 * message waits on a blocking socket, only the first with MSG_WAITFORONE;
 * the timeout is looked at after each datagram and what is left of it
 * written back. Answers the count received, or -1 with the first
 * datagram's error.
 */
void sc_on_recvmmsg(struct sc_call *c)
{
	unsigned vlen = sc_arg(c, 2) > MMSG_MAX ? MMSG_MAX : (unsigned)sc_arg(c, 2), got = 0, i;
	int flags = (int)sc_arg(c, 3), named = 0, control = 0, blocks, twins;
	uint64_t p = sc_arg(c, 1), tp = sc_arg(c, 4);
	struct timespec to = { 0, 0 };
	int64_t end = 0, left;
	struct mmsghdr *v;
	struct sock s;
	ssize_t rc = -1;

	if ((v = sc_read_vec(c, p, vlen)) == NULL)
		return;
	for (i = 0; i < vlen; i++) {
		named |= v[i].msg_hdr.msg_name != NULL;
		control |= v[i].msg_hdr.msg_control != NULL;
	}
	if ((!named && !control) || sc_sock_open(c, sc_arg(c, 0), &s, 1, 0) < 0)
		goto out;
	if (!recv_ours(&s, flags, named, control, &twins))
		goto out;
	if (tp != 0) {
		/* A bad timeout is the kernel's to answer (EFAULT, EINVAL). */
		if (sc_read(c, tp, &to, sizeof to) < 0 || to.tv_sec < 0 || to.tv_nsec < 0 || to.tv_nsec >= 1000000000)
			goto out;
		end = now_ns() + (int64_t)to.tv_sec * 1000000000 + to.tv_nsec;
	}
	blocks = sc_blocking(s.fd, flags) && !(flags & MSG_ERRQUEUE);
	for (i = 0; i < vlen; i++) {
		rc = recv_msg(c, &s, p + i * sizeof *v, &v[i], sizeof v[i], flags & ~MSG_WAITFORONE, blocks, twins);
		if (rc < 0)
			break;
		got++;
		if (flags & MSG_WAITFORONE) {
			flags |= MSG_DONTWAIT;
			blocks = 0;
		}
		if (tp != 0 && now_ns() >= end)
			break;
	}
	if (got == 0 && errno == EBUSY)
		goto out; /* the kernel waits: senders in their AF_INET6 form, but no call held up */
	if (got > 0 && tp != 0) {
		left = end - now_ns();
		to.tv_sec = left > 0 ? left / 1000000000 : 0;
		to.tv_nsec = left > 0 ? left % 1000000000 : 0;
		if (sc_write(c, tp, &to, sizeof to) < 0) {
			sc_answer(c, -1, EFAULT);
			goto out;
		}
	}
	sc_answer_rc(c, got > 0 ? (int64_t)got : -1);
out:
	free(v);
	sc_release(c);
}

