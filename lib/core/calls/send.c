/*
 * Sends with a destination (sendto, sendmsg, sendmmsg): an IPv4 one on a
 * converted socket, a ::ffff: one on an AF_INET6 socket (calls/mapped.c),
 * through the attempt engine with its fallback and memory.
 */
#include "calls/send.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/uio.h>

#include "addr/sockaddr.h"
#include "base/log.h"
#include "calls/dgram.h"
#include "calls/inherit.h"
#include "calls/mapped.h"
#include "plan/attempt.h"
#include "sock/fdtab.h"

/*
 * sendto_tries sends buf to the destination of attempt s (started by the
 * caller): the planned method first; when it fails synchronously as
 * unreachable, the other one, which is then remembered. Returns the bytes
 * sent (errno untouched), or -1 with the kernel's errno. Inline: the
 * converted socket's sendto is a hot path.
 */
static inline __attribute__((always_inline)) ssize_t
sendto_tries(t64_fn_sendto *real, int fd, const void *buf, size_t n, int flags,
	     struct t64_attempt *s)
{
	int saved = errno;
	ssize_t rc;

	rc = real(fd, buf, n, flags, (struct sockaddr *)&s->sin6, sizeof s->sin6);
	T64_DEBUG(2, "sendto(%d, %zu bytes, %#x): %s -> %zd", fd, n, flags,
		  t64_method_name(s->m), rc);
	if (rc < 0 && t64_attempt_next(s, errno)) {
		rc = real(fd, buf, n, flags, (struct sockaddr *)&s->sin6,
			  sizeof s->sin6);
		T64_DEBUG(1, "sendto(%d): fallback %s -> %zd", fd,
			  t64_method_name(s->m), rc);
		if (rc < 0)
			errno = t64_attempt_errno(s, errno);
	}
	if (rc >= 0) {
		t64_attempt_worked(s);
		errno = saved;
	}
	return rc;
}

/*
 * t64_sendto_logic sends on converted socket fd; an AF_INET destination is
 * translated as connect would, with the same fallback when the first
 * method fails synchronously as unreachable (remembered per destination);
 * a stand-in goes to its IPv6 peer; any other address goes to the kernel
 * unchanged. Returns the bytes sent, or -1 with the kernel's errno
 * (EHOSTUNREACH for the full pool's 198.19.0.0).
 */
ssize_t t64_sendto_logic(t64_fn_sendto *real, int fd, const void *buf,
			 size_t n, int flags, const struct sockaddr *addr,
			 socklen_t len)
{
	struct t64_attempt s;
	int k = t64_attempt_send(fd, addr, len, &s);

	ssize_t rc;

	if (k <= 0)
		return k < 0 ? -1 : real(fd, buf, n, flags, addr, len);
	rc = sendto_tries(real, fd, buf, n, flags, &s);
	if (rc < 0 && errno == EAFNOSUPPORT && t64_fd_recheck(fd))
		return real(fd, buf, n, flags, addr, len); /* not converted after all */
	return rc;
}

/*
 * t64_mapped_sendto sends on fd, a socket that is not converted: a
 * ::ffff:a.b.c.d destination on a dual-stack AF_INET6 UDP socket goes to
 * a.b.c.d as on a converted socket and marks the socket mapped; anything
 * else goes to the kernel unchanged. Returns the bytes sent, or -1 with
 * the kernel's errno.
 */
ssize_t t64_mapped_sendto(t64_fn_sendto *real, int fd, const void *buf,
			  size_t n, int flags, const struct sockaddr *addr,
			  socklen_t len)
{
	struct t64_attempt s;
	ssize_t rc;
	int k = t64_mapped_start(fd, addr, len, &s);

	if (k <= 0)
		return k < 0 ? -1 : real(fd, buf, n, flags, addr, len);
	rc = sendto_tries(real, fd, buf, n, flags, &s);
	if (rc >= 0)
		t64_mapped_mark(fd);
	return rc;
}

/*
 * peer6 returns 1 when connected socket fd's peer is a real IPv6 address
 * (NAT64 or a stand-in's peer), 0 otherwise (IPv4, unknown). One real
 * getpeername: only for a message with IPv4 control data to translate.
 * errno preserved.
 */
static int peer6(int fd)
{
	t64_fn_getpeername *real = T64_REAL(getpeername);
	struct sockaddr_in6 sin6 = { 0 };
	socklen_t l = sizeof sin6;
	int saved = errno, ok;

	ok = real != NULL && real(fd, (struct sockaddr *)&sin6, &l) == 0 &&
	     sin6.sin6_family == AF_INET6 &&
	     !IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr);
	errno = saved;
	return ok;
}

/*
 * control sets m's control data for a message going by method m6 (1: to
 * an IPv6 address) from the program's msg: its own, or, going to IPv6,
 * the IPv6 forms of its IPv4 options in buf (see t64_cmsg_in; the kernel
 * ignores IPv4 ones there). Returns nothing; no errno.
 */
static void control(struct msghdr *m, const struct msghdr *msg, int m6,
		    unsigned char *buf, size_t room)
{
	ssize_t n = m6 ? t64_cmsg_in(msg, buf, room) : 0;

	m->msg_control = n > 0 ? buf : msg->msg_control;
	m->msg_controllen = n > 0 ? (size_t)n : msg->msg_controllen;
}

/*
 * sendmsg_tries sends msg to the destination of attempt s (started by
 * the caller) in a copy of the header, IPv4 control data in its IPv6 form
 * when the method is NAT64, with sendto's fallback and memory. Returns
 * the bytes sent, or -1 with the kernel's errno.
 */
static ssize_t sendmsg_tries(t64_fn_sendmsg *real, int fd,
			     const struct msghdr *msg, int flags,
			     struct t64_attempt *s)
{
	union {
		struct cmsghdr align;
		unsigned char b[T64_CMSG_ROOM];
	} cbuf;
	int saved = errno;
	struct msghdr m = *msg;
	ssize_t rc;

	m.msg_name = &s->sin6;
	m.msg_namelen = sizeof s->sin6;
	control(&m, msg, s->m == T64_NAT64, cbuf.b, sizeof cbuf.b);
	rc = real(fd, &m, flags);
	T64_DEBUG(2, "sendmsg(%d, %#x): %s -> %zd", fd, flags,
		  t64_method_name(s->m), rc);
	if (rc < 0 && t64_attempt_next(s, errno)) {
		control(&m, msg, s->m == T64_NAT64, cbuf.b, sizeof cbuf.b);
		rc = real(fd, &m, flags);
		T64_DEBUG(1, "sendmsg(%d): fallback %s -> %zd", fd,
			  t64_method_name(s->m), rc);
		if (rc < 0)
			errno = t64_attempt_errno(s, errno);
	}
	if (rc >= 0) {
		t64_attempt_worked(s);
		errno = saved;
	}
	return rc;
}

/*
 * sendmsg_connected sends msg, which has control data and no name, on
 * converted socket fd: in a copy with the IPv6 forms of its IPv4 options
 * when the socket is connected to an IPv6 address (NAT64, a stand-in's
 * peer), else as it is. Returns the bytes sent, or -1 with the kernel's
 * errno.
 */
static ssize_t sendmsg_connected(t64_fn_sendmsg *real, int fd,
				 const struct msghdr *msg, int flags)
{
	union {
		struct cmsghdr align;
		unsigned char b[T64_CMSG_ROOM];
	} cbuf;
	struct msghdr m = *msg;

	control(&m, msg, 1, cbuf.b, sizeof cbuf.b);
	if (m.msg_control == msg->msg_control || !peer6(fd))
		return real(fd, msg, flags);
	return real(fd, &m, flags);
}

/*
 * t64_sendmsg_logic sends msg on converted socket fd; an AF_INET msg_name
 * is translated as connect would (with its fallback, see sendto) in a
 * copy of the header; IPv4 control data (IP_TOS, IP_TTL, IP_PKTINFO)
 * going to an IPv6 address (NAT64, a stand-in's peer, a socket connected
 * to one) is sent in its IPv6 form. Returns the bytes sent, or -1 with the
 * kernel's errno (EHOSTUNREACH for the full pool's 198.19.0.0).
 */
ssize_t t64_sendmsg_logic(t64_fn_sendmsg *real, int fd,
			  const struct msghdr *msg, int flags)
{
	struct t64_attempt s;
	int k = t64_attempt_send(fd, msg->msg_name, msg->msg_namelen, &s);

	ssize_t rc;

	if (k < 0)
		return -1;
	if (k > 0) {
		rc = sendmsg_tries(real, fd, msg, flags, &s);
		if (rc < 0 && errno == EAFNOSUPPORT && t64_fd_recheck(fd))
			return real(fd, msg, flags); /* not converted after all */
		return rc;
	}
	if (msg->msg_name != NULL || msg->msg_control == NULL)
		return real(fd, msg, flags);
	return sendmsg_connected(real, fd, msg, flags);
}

/*
 * t64_mapped_sendmsg sends msg on fd, a socket that is not converted: a
 * ::ffff:a.b.c.d msg_name on a dual-stack AF_INET6 UDP socket goes to
 * a.b.c.d as on a converted socket (IPv4 control data in its IPv6 form
 * through NAT64) and marks the socket mapped; anything else goes to the
 * kernel unchanged. Returns the bytes sent, or -1 with the kernel's errno.
 */
ssize_t t64_mapped_sendmsg(t64_fn_sendmsg *real, int fd,
			   const struct msghdr *msg, int flags)
{
	struct t64_attempt s;
	ssize_t rc;
	int k = t64_mapped_start(fd, msg->msg_name, msg->msg_namelen, &s);

	if (k <= 0)
		return k < 0 ? -1 : real(fd, msg, flags);
	rc = sendmsg_tries(real, fd, msg, flags, &s);
	if (rc >= 0)
		t64_mapped_mark(fd);
	return rc;
}

/* Messages translated per real call (bounded stack use). */
#define CHUNK 16
/*
 * Control data room per message of a sendmmsg: the IPv6 forms of IP_TOS,
 * IP_TTL and IP_PKTINFO with room to spare; more is sent as the program
 * gave it (the kernel ignores IPv4 options going to IPv6).
 */
#define MMSG_CMSG_ROOM 128

/* One message's control data in IPv6 form (control). */
union mmsg_cmsg {
	struct cmsghdr align;
	unsigned char b[MMSG_CMSG_ROOM];
};

/*
 * one_fallback sends vec (whose first method just failed with err) by the
 * other method through the real sendmsg. Returns 1 (sent, msg_len set), 0
 * when there is no other method, or -1 with errno when it failed too.
 */
static int one_fallback(struct t64_attempt *s, struct mmsghdr *vec, int flags,
			int fd, int err)
{
	t64_fn_sendmsg *real = T64_REAL(sendmsg);
	struct msghdr m = vec->msg_hdr;
	union mmsg_cmsg cbuf;
	ssize_t rc;

	if (real == NULL || !t64_attempt_next(s, err))
		return 0;
	m.msg_name = &s->sin6;
	m.msg_namelen = sizeof s->sin6;
	control(&m, &vec->msg_hdr, s->m == T64_NAT64, cbuf.b, sizeof cbuf.b);
	rc = real(fd, &m, flags);
	T64_DEBUG(1, "sendmmsg(%d): fallback %s -> %zd", fd,
		  t64_method_name(s->m), rc);
	if (rc < 0) {
		errno = t64_attempt_errno(s, errno);
		return -1;
	}
	vec->msg_len = (unsigned)rc;
	t64_attempt_worked(s);
	return 1;
}

/*
 * start starts the attempt for one message's name on fd: an AF_INET one
 * on a converted socket, a ::ffff: one on a mapped (or allowed) one.
 * Returns as t64_attempt_send.
 */
static int start(int fd, int mapped, const struct msghdr *h,
		 struct t64_attempt *s)
{
	struct sockaddr_in sin;

	if (!mapped)
		return t64_attempt_send(fd, h->msg_name, h->msg_namelen, s);
	if (!t64_sin_mapped(h->msg_name, h->msg_namelen, &sin))
		return 0;
	return t64_attempt_v4(fd, &sin, s);
}

/*
 * sendmmsg_chunks sends vlen messages on fd: names translated by start (mapped:
 * ::ffff: names on a socket t64_mapped_socket allowed), CHUNK messages per real
 * call in copies on the stack, IPv4 control data in its IPv6 form for a message
 * going through NAT64 (as sendmsg); a message whose first method fails as
 * unreachable is sent by the other one (sendto's fallback) and the rest
 * continues; a stand-in goes to its IPv6 peer, and the full pool's network
 * address ends the batch before it. Returns the number of messages sent
 * (msg_len set in vec), or -1 with errno when the first one failed
 * (EHOSTUNREACH for the full pool's address); *engine set when a message went
 * through the attempt engine.
 */
static int sendmmsg_chunks(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
			   unsigned vlen, int flags, int mapped, int *engine)
{
	struct mmsghdr m[CHUNK];
	struct t64_attempt s[CHUNK];
	union mmsg_cmsg cbuf[CHUNK];
	unsigned done = 0;
	int saved = errno;

	if (vlen > UIO_MAXIOV) /* as the kernel does */
		vlen = UIO_MAXIOV;
	while (done < vlen) {
		unsigned n = vlen - done < CHUNK ? vlen - done : CHUNK;
		int rc, k;

		for (unsigned i = 0; i < n; i++) {
			m[i] = vec[done + i];
			k = start(fd, mapped, &m[i].msg_hdr, &s[i]);
			if (k < 0) { /* unreachable stand-in: stop before it */
				if (i == 0 && done == 0)
					return -1;
				if (i == 0)
					goto out;
				n = i;
				break;
			}
			if (k > 0) {
				m[i].msg_hdr.msg_name = &s[i].sin6;
				m[i].msg_hdr.msg_namelen = sizeof s[i].sin6;
				control(&m[i].msg_hdr, &vec[done + i].msg_hdr,
					s[i].m == T64_NAT64, cbuf[i].b,
					sizeof cbuf[i].b);
			} else {
				s[i].m = T64_NONE;
			}
		}
		rc = real(fd, m, n, flags);
		if (rc < 0) {
			int err = errno;

			k = s[0].m == T64_NONE ? 0 :
			    one_fallback(&s[0], &vec[done], flags, fd, err);
			if (k == 1) {
				*engine = 1;
				done++;
				continue;
			}
			if (k == 0)
				errno = err;
			if (done == 0)
				return -1;
			break;
		}
		for (int i = 0; i < rc; i++) {
			vec[done + i].msg_len = m[i].msg_len;
			if (s[i].m != T64_NONE) {
				t64_attempt_worked(&s[i]);
				*engine = 1;
			}
		}
		done += (unsigned)rc;
		if ((unsigned)rc < n)
			break;
	}
out:
	errno = saved;
	return (int)done;
}

/*
 * t64_sendmmsg_logic sends vlen messages on converted socket fd: AF_INET
 * names translated as connect would (sendmmsg_chunks). Returns the number
 * of messages sent, or -1 with errno when the first one failed.
 */
int t64_sendmmsg_logic(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
		       unsigned vlen, int flags)
{
	int engine = 0;

	return sendmmsg_chunks(real, fd, vec, vlen, flags, 0, &engine);
}

/*
 * t64_mapped_sendmmsg sends vlen messages on fd, a socket that is not
 * converted: when some name is ::ffff:a.b.c.d and the socket allows it
 * (a dual-stack AF_INET6 UDP socket), those go to a.b.c.d as on a
 * converted socket and the socket is marked mapped; otherwise the kernel
 * gets vec unchanged. Returns the number of messages sent, or -1 with
 * errno when the first one failed.
 */
int t64_mapped_sendmmsg(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
			unsigned vlen, int flags)
{
	struct sockaddr_in sin;
	unsigned i;
	int engine = 0, rc;

	for (i = 0; i < vlen && i < UIO_MAXIOV; i++)
		if (t64_sin_mapped(vec[i].msg_hdr.msg_name,
				   vec[i].msg_hdr.msg_namelen, &sin))
			break;
	if (i == vlen || i == UIO_MAXIOV || !t64_mapped_socket(fd))
		return real(fd, vec, vlen, flags);
	rc = sendmmsg_chunks(real, fd, vec, vlen, flags, 1, &engine);
	if (engine)
		t64_mapped_mark(fd);
	return rc;
}
