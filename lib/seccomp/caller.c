#include "caller.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "profile.h"
#include "sock/fdtab.h"

/*
 * Which sockets are ours is kept in the socket itself, so that it follows
 * the socket through fork, dup, SCM_RIGHTS and exec with no table to keep
 * in step, in an option whose value changes nothing the program sees, as
 * MARK | bits, a value no program sets:
 * - TCP: TCP_NOTSENT_LOWAT, whose default is "no limit"; ours is about
 *   2 GB of unsent data, more than any send buffer holds: also no limit;
 * - UDP: SO_RCVLOWAT, which datagram sockets ignore (a datagram is whole
 *   or nothing). Not an IPv6 option: a program's own AF_INET6 socket may
 *   set any of those to any value (IPV6_MULTICAST_HOPS 255 is mDNS's), and
 *   would be taken for ours. A TCP socket cannot hold such a low-water
 *   mark (the kernel caps it at half the largest receive buffer).
 * An accepted socket inherits its listener's value. A program's own
 * setsockopt of the option on a socket of ours is answered without
 * setting it, and its getsockopt with the default (calls.c,
 * sc_mark_option).
 */
#define MARK 0x7fffffe0
#define MARK_BITS 0x1f

static unsigned dgram_mark(int fd)
{
	int v = 0;
	socklen_t l = sizeof v;

	if (getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, &l) == 0 && (v & ~MARK_BITS) == MARK)
		return M_MARKED | M_DGRAM | (unsigned)(v & MARK_BITS);
	return 0;
}

/*
 * sc_mark_option says whether option (level, name) is the one socket s's
 * mark lives in (s marked): the program setting it would make s look
 * like its own.
 */
int sc_mark_option(const struct sock *s, int level, int name)
{
	if (!(s->bits & M_MARKED))
		return 0;
	if (s->bits & M_DGRAM)
		return level == SOL_SOCKET && name == SO_RCVLOWAT;
	return level == IPPROTO_TCP && name == TCP_NOTSENT_LOWAT;
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
		return (v & ~MARK_BITS) == MARK ? M_MARKED | (unsigned)(v & MARK_BITS) : 0;
	return dgram ? 0 : dgram_mark(fd);
}

int sc_mark_set(int fd, unsigned bits)
{
	int v = MARK | (int)(bits & MARK_BITS);

	if (bits & M_DGRAM)
		return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v);
	return setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, sizeof v);
}

/*
 * sc_sock_open takes the caller's fd tfd: our copy, its mark, and the fd
 * table state lib/core reads (converted, datagram, IPv4 only, accepted,
 * SO_BROADCAST, asked only when the call goes to an a.b.c.255 address:
 * want_bcast) for our copy's number; dgram: a datagram call. Returns 0,
 * or -1 (not a socket we can see: the kernel answers the call).
 */
int sc_sock_open(struct sc_call *c, uint64_t tfd, struct sock *s, int dgram, int want_bcast)
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

/* The data of a send or a receive: DATA_MAX bytes per receiving thread, made on first need. */
static __thread unsigned char *data;

unsigned char *sc_data_buf(void)
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

/*
 * sc_read_addr_data reads the caller's address argument (p, len) and, when n
 * is not 0, n bytes of data at d into buf in the same read. Returns 0, or
 * -1 (the kernel answers).
 */
int sc_read_addr_data(struct sc_call *c, uint64_t p, uint64_t len, union addr *a, uint64_t d, void *buf,
			  size_t n)
{
	if (p == 0 || len < sizeof(sa_family_t) || len > sizeof *a)
		return -1;
	memset(a, 0, sizeof *a);
	return n == 0 ? sc_read(c, p, a, (size_t)len) : sc_read2(c, p, a, (size_t)len, d, buf, n);
}

/* sc_read_addr reads the caller's address argument (p, len). Returns 0, or -1 (the kernel answers). */
int sc_read_addr(struct sc_call *c, uint64_t p, uint64_t len, union addr *a)
{
	return sc_read_addr_data(c, p, len, a, 0, NULL, 0);
}

/* Whether a goes to an a.b.c.255 address (a directed broadcast where the socket has SO_BROADCAST). */
int sc_bcast_dest(const union addr *a, socklen_t len)
{
	if (a->sa.sa_family == AF_INET && len >= sizeof a->sin)
		return (ntohl(a->sin.sin_addr.s_addr) & 0xff) == 0xff;
	return a->sa.sa_family == AF_INET6 && len >= sizeof a->sin6 &&
	       IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr) && a->sin6.sin6_addr.s6_addr[15] == 0xff;
}

/*
 * sc_route_of says who answers a call to destination a on the caller's
 * socket s: lib/core for a converted socket (K_CONVERTED), or for the
 * program's own AF_INET6 socket going to ::ffff:a.b.c.d (K_MAPPED:
 * calls/mapped.c, which asks the kernel whether the socket may), else
 * the kernel.
 */
int sc_route_of(const struct sock *s, const union addr *a, socklen_t len)
{
	if (sc_converted(s))
		return K_CONVERTED;
	if (a->sa.sa_family == AF_INET6 && len >= sizeof a->sin6 &&
	    IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr))
		return K_MAPPED;
	return K_KERNEL;
}

/* sc_mapped_done marks a socket lib/core has just taken as mapped, for the calls to come. */
void sc_mapped_done(struct sock *s)
{
	unsigned f = t64_fd_get(s->fd), bits;

	if (!(f & T64_FD_MAPPED) || (s->bits & M_MAPPED))
		return;
	bits = M_MAPPED | (f & T64_FD_DGRAM ? M_DGRAM : 0) | (f & T64_FD_V4ONLY ? M_V4ONLY : 0);
	if (sc_mark_set(s->fd, bits) == 0)
		s->bits = M_MARKED | bits; /* what a later sc_mark_set of this call (pending_save) builds on */
}

/* out writes an address going out (ours, alen bytes of it) to the caller's (p, lenp) as the kernel would. */
int sc_out_addr(struct sc_call *c, uint64_t p, uint64_t lenp, socklen_t room,
		    const void *addr, socklen_t alen)
{
	socklen_t n = alen < room ? alen : room;

	if (sc_write(c, p, addr, n) < 0 || sc_write(c, lenp, &alen, sizeof alen) < 0)
		return -1;
	return 0;
}

int sc_read_len(struct sc_call *c, uint64_t lenp, socklen_t *room)
{
	if (lenp == 0 || sc_read(c, lenp, room, sizeof *room) < 0)
		return -1;
	return (int)*room < 0 ? -1 : 0;
}

/* The caller's iovecs of the message at hand (sc_read_iov). */
__thread struct iovec sc_their_iov[IOV_MAX_KERNEL];

/*
 * sc_read_iov reads the caller's iovec array of m into sc_their_iov and sums
 * their lengths, up to DATA_MAX: what one message can move through
 * sc_data_buf(). With cut, the array ends at the iovec that reaches DATA_MAX
 * (its length cut); without, a longer total is EMSGSIZE. Returns the
 * number of iovecs, or -1 with errno (EFAULT, EMSGSIZE).
 */
int sc_read_iov(struct sc_call *c, const struct msghdr *m, int cut, size_t *total)
{
	size_t iovlen = (size_t)m->msg_iovlen, n = 0; /* int in musl */

	if (iovlen > IOV_MAX_KERNEL) {
		errno = EMSGSIZE;
		return -1;
	}
	if (sc_read(c, (uintptr_t)m->msg_iov, sc_their_iov, iovlen * sizeof sc_their_iov[0]) < 0)
		return -1;
	for (size_t i = 0; i < iovlen; i++) {
		if (sc_their_iov[i].iov_len > DATA_MAX - n) {
			if (!cut) {
				errno = EMSGSIZE;
				return -1;
			}
			sc_their_iov[i].iov_len = DATA_MAX - n;
			iovlen = i + 1;
		}
		n += sc_their_iov[i].iov_len;
	}
	*total = n;
	return (int)iovlen;
}

/*
 * sc_read_vec reads the caller's mmsghdr array (p, vlen at most MMSG_MAX)
 * into a new allocation. Returns it (to free), or NULL (the kernel
 * answers: it faults the same way, or we are out of memory).
 */
struct mmsghdr *sc_read_vec(struct sc_call *c, uint64_t p, unsigned vlen)
{
	struct mmsghdr *v;

	if (p == 0 || vlen == 0 || (v = malloc(vlen * sizeof *v)) == NULL)
		return NULL;
	if (sc_read(c, p, v, vlen * sizeof *v) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

