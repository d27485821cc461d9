/*
 * The caller's socket as the supervisor sees it (our copy of its fd and
 * the mark that says whether it is ours) and the caller's arguments read
 * and written the way the kernel would.
 */
#ifndef T64_SC_CALLER_H
#define T64_SC_CALLER_H

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "target.h"

/* What a socket's mark says (caller.c keeps it in the socket itself). */
enum {
	M_DGRAM = 1,
	M_V4ONLY = 2,
	M_ACCEPTED = 4,
	M_MAPPED = 8,   /* the program's own AF_INET6 socket that dialled ::ffff:a.b.c.d */
	M_PENDING = 16, /* a NAT64 connect in progress that may fall back (calls.c, pending_save) */
	M_MARKED = 0x100,
};

/* Data of a send or a receive passes through here: at most one datagram. */
#define DATA_MAX 65536
/* As many iovecs as the kernel takes in one msghdr (UIO_MAXIOV); more: EMSGSIZE, as there. */
#define IOV_MAX_KERNEL 1024
/* At most this many messages in one sendmmsg or recvmmsg, as the kernel takes (UIO_MAXIOV). */
#define MMSG_MAX 1024

/* Room for one message's control data on its way through the supervisor. */
union sc_ctl {
	struct cmsghdr align;
	unsigned char b[4096];
};

struct sock {
	int fd;        /* our copy of the caller's fd */
	unsigned bits; /* M_*; 0 when the socket is not ours */
};

union addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_storage ss;
};

/* Who answers a call to a destination (sc_route_of). */
enum { K_KERNEL, K_CONVERTED, K_MAPPED };

int sc_sock_open(struct sc_call *c, uint64_t tfd, struct sock *s, int dgram, int want_bcast);
int sc_mark_set(int fd, unsigned bits);
int sc_mark_option(const struct sock *s, int level, int name);
void sc_mapped_done(struct sock *s);
int sc_route_of(const struct sock *s, const union addr *a, socklen_t len);
int sc_bcast_dest(const union addr *a, socklen_t len);
unsigned char *sc_data_buf(void);

int sc_read_addr_data(struct sc_call *c, uint64_t p, uint64_t len, union addr *a, uint64_t d, void *buf, size_t n);
int sc_read_addr(struct sc_call *c, uint64_t p, uint64_t len, union addr *a);
int sc_read_len(struct sc_call *c, uint64_t lenp, socklen_t *room);
int sc_out_addr(struct sc_call *c, uint64_t p, uint64_t lenp, socklen_t room, const void *addr, socklen_t alen);
/* The caller's iovecs of the message at hand (sc_read_iov). */
extern __thread struct iovec sc_their_iov[IOV_MAX_KERNEL];
int sc_read_iov(struct sc_call *c, const struct msghdr *m, int cut, size_t *total);
struct mmsghdr *sc_read_vec(struct sc_call *c, uint64_t p, unsigned vlen);

/* A converted socket: one lib/core made AF_INET6 for the program's AF_INET. */
static inline int sc_converted(const struct sock *s)
{
	return (s->bits & (M_MARKED | M_MAPPED)) == M_MARKED;
}

/* A datagram socket lib/core answers receives for (converted or mapped). */
static inline int sc_receives_ours(const struct sock *s)
{
	return (s->bits & (M_MARKED | M_DGRAM)) == (M_MARKED | M_DGRAM);
}

static inline void sc_answer_rc(struct sc_call *c, int64_t rc)
{
	sc_answer(c, rc, rc < 0 ? errno : 0);
}

#endif
