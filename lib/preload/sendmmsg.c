/* sendmmsg(): IPv4 destinations on a converted socket, in stack chunks. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/uio.h>

#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"
#include "plan/attempt.h"

/* Messages translated per real call (bounded stack use). */
#define CHUNK 16

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
	ssize_t rc;

	if (real == NULL || !t64_attempt_next(s, err))
		return 0;
	m.msg_name = &s->sin6;
	m.msg_namelen = sizeof s->sin6;
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
 * sendmmsg_logic sends vlen messages on converted socket fd: AF_INET
 * names translated as connect would, CHUNK messages per real call in
 * copies on the stack; a message whose first method fails as unreachable
 * is sent by the other one (sendto's fallback) and the rest continues; a
 * stand-in goes to its IPv6 peer, and 198.19.0.0 (full pool) ends the
 * batch before it. Returns the number of messages sent (msg_len set in
 * vec), or -1 with errno when the first one failed (EHOSTUNREACH for
 * 198.19.0.0).
 */
static int sendmmsg_logic(t64_fn_sendmmsg *real, int fd, struct mmsghdr *vec,
			  unsigned vlen, int flags)
{
	struct mmsghdr m[CHUNK];
	struct t64_attempt s[CHUNK];
	unsigned done = 0;
	int saved = errno;

	if (vlen > UIO_MAXIOV) /* as the kernel does */
		vlen = UIO_MAXIOV;
	while (done < vlen) {
		unsigned n = vlen - done < CHUNK ? vlen - done : CHUNK;
		int rc, k;

		for (unsigned i = 0; i < n; i++) {
			m[i] = vec[done + i];
			k = t64_attempt_send(fd, m[i].msg_hdr.msg_name,
					   m[i].msg_hdr.msg_namelen, &s[i]);
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
			if (s[i].m != T64_NONE)
				t64_attempt_worked(&s[i]);
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
 * sendmmsg sends like the real sendmmsg(); converted sockets go through
 * sendmmsg_logic. Returns the messages sent, or -1 with errno.
 */
T64_EXPORT T64_RET_sendmmsg sendmmsg(T64_SIG_sendmmsg)
{
	t64_fn_sendmmsg *real = T64_REAL(sendmmsg);

	if (real == NULL)
		return -1;
	if (vec == NULL || !(t64_fd_get(fd) & T64_FD_CONVERTED))
		return real(fd, vec, vlen, flags);
	return sendmmsg_logic(real, fd, vec, vlen, flags);
}
