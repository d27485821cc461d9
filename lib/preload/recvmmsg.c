/* recvmmsg(): senders and ancillary data of a converted datagram socket, in stack chunks. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "calls/dgram.h"
#include "sock/fdtab.h"
#include "base/log.h"
#include "base/real.h"

/* Messages per real call (bounded stack use: names and control room). */
#define CHUNK 8

/*
 * plain returns 1 when vec needs no translation at all: no message asks
 * for its sender and no IPv6 twin option is on and the error queue is not
 * read (or no control room).
 */
static int plain(int fd, const struct mmsghdr *vec, unsigned vlen, int flags)
{
	int twin = (t64_fd_get(fd) & T64_FD_TWIN) || (flags & MSG_ERRQUEUE);

	for (unsigned i = 0; i < vlen; i++)
		if (vec[i].msg_hdr.msg_name != NULL ||
		    (twin && vec[i].msg_hdr.msg_control != NULL))
			return 0;
	return 1;
}

/*
 * recvmmsg_logic receives up to vlen datagrams on converted datagram
 * socket fd, CHUNK per real call with names (and, when an IPv6 twin option
 * is on, control messages) in our own stack buffers, handed out like
 * recvmsg does. A next chunk is asked for only when the previous one was
 * filled (with MSG_DONTWAIT under MSG_WAITFORONE, as the kernel does after
 * the first datagram). Returns the number received, or -1 with errno when
 * the first real call failed.
 */
static int recvmmsg_logic(t64_fn_recvmmsg *real, int fd, struct mmsghdr *vec,
			  unsigned vlen, int flags, struct timespec *timeout)
{
	struct mmsghdr m[CHUNK];
	struct sockaddr_in6 sin6[CHUNK];
	_Alignas(struct cmsghdr) unsigned char ctl[CHUNK][T64_CMSG_ROOM];
	int twin = (t64_fd_get(fd) & T64_FD_TWIN) || (flags & MSG_ERRQUEUE);
	unsigned done = 0;

	if (vlen > UIO_MAXIOV) /* as the kernel does */
		vlen = UIO_MAXIOV;
	if (plain(fd, vec, vlen, flags))
		return real(fd, vec, vlen, flags, timeout);
	while (done < vlen) {
		unsigned n = vlen - done < CHUNK ? vlen - done : CHUNK;
		int rc;

		for (unsigned i = 0; i < n; i++) {
			struct msghdr *h = &vec[done + i].msg_hdr;

			if (h->msg_name != NULL && (int)h->msg_namelen < 0) {
				errno = EINVAL;
				return done > 0 ? (int)done : -1;
			}
			m[i] = vec[done + i];
			m[i].msg_hdr.msg_name = &sin6[i];
			m[i].msg_hdr.msg_namelen = sizeof sin6[i];
			if (twin && h->msg_control != NULL &&
			    h->msg_controllen > 0) {
				m[i].msg_hdr.msg_control = ctl[i];
				m[i].msg_hdr.msg_controllen =
					t64_cmsg_room(h->msg_controllen);
			}
		}
		rc = real(fd, m, n, flags, timeout);
		if (rc < 0)
			return done > 0 ? (int)done : -1;
		for (int i = 0; i < rc; i++) {
			struct msghdr *h = &vec[done + i].msg_hdr;

			vec[done + i].msg_len = m[i].msg_len;
			if (m[i].msg_hdr.msg_control == (void *)ctl[i]) {
				t64_cmsg_out(&m[i].msg_hdr, h, &sin6[i]);
			} else {
				h->msg_controllen = m[i].msg_hdr.msg_controllen;
				h->msg_flags = m[i].msg_hdr.msg_flags;
			}
			if (h->msg_name != NULL)
				t64_name_in(&sin6[i], m[i].msg_hdr.msg_namelen,
					    h->msg_name, &h->msg_namelen);
		}
		done += (unsigned)rc;
		if ((unsigned)rc < n)
			break;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return (int)done;
}

/*
 * recvmmsg receives like the real recvmmsg(); converted datagram sockets
 * go through recvmmsg_logic. Returns the datagrams received, or -1 with
 * errno.
 */
T64_EXPORT T64_RET_recvmmsg recvmmsg(T64_SIG_recvmmsg)
{
	t64_fn_recvmmsg *real = T64_REAL(recvmmsg);

	if (real == NULL)
		return -1;
	if (vec == NULL || !t64_recv_converted(fd))
		return real(fd, vec, vlen, flags, timeout);
	return recvmmsg_logic(real, fd, vec, vlen, flags, timeout);
}
