/*
 * Per-socket state, one atomic 16-bit word per fd: a fixed table for the
 * first T64_FD_MAX fds (the hot path), chunks mapped on first use above.
 */
#ifndef T64_FDTAB_H
#define T64_FDTAB_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/real.h"

/* The fixed table's size; the C tests build a library with a small one to reach the chunks. */
#ifndef T64_FD_MAX
#define T64_FD_MAX 65536
#endif

enum {
	T64_FD_CONVERTED = 1, /* AF_INET6 socket the program sees as AF_INET */
	T64_FD_V4ONLY = 2,    /* bound to an IPv4 address: no NAT64 */
	T64_FD_DGRAM = 4,     /* SOCK_DGRAM */
	T64_FD_TWIN = 8,      /* an IPv6 twin of an IPv4 cmsg option is on */
	T64_FD_BCAST = 16,    /* SO_BROADCAST is on */
	T64_FD_PENDING = 32,  /* NAT64 connect in progress, IPv4 fallback in t64_fd_pend */
	T64_FD_ACCEPTED = 64, /* accepted: peers are strangers (see peer.c) */
	T64_FD_KNOWN = 128,   /* seen by our hooks (0: never seen, see inherit.c) */
	T64_FD_MAPPED = 256,  /* own AF_INET6 socket sent to ::ffff:x (calls/mapped.c) */
};

/* The flags of one fd; the highest flag above must fit. */
typedef uint16_t t64_fdflags;
_Static_assert(T64_FD_MAPPED <= UINT16_MAX, "fd flags do not fit t64_fdflags");

extern _Atomic t64_fdflags t64_fds[T64_FD_MAX];

unsigned t64_fd_get_high(int fd);

/* t64_fd_get returns the flags of fd (0 for a negative fd or one never marked). */
static inline unsigned t64_fd_get(int fd)
{
	return (unsigned)fd < T64_FD_MAX ?
		       atomic_load_explicit(&t64_fds[fd], memory_order_relaxed) :
		       t64_fd_get_high(fd);
}

/*
 * The words of one fd, NULL for a negative fd, one beyond the kernel's
 * limit or, above the fixed table, one whose chunk is not mapped (make 0)
 * or cannot be (make 1). The pending word holds the IPv4 destination of a
 * NAT64 connect in progress (T64_FD_PENDING, plan/pending.c).
 */
_Atomic t64_fdflags *t64_fd_word(int fd, int make);
_Atomic uint64_t *t64_fd_pend_word(int fd, int make);

/* How many fds have T64_FD_PENDING; the fallback itself is plan/pending.h. */
extern _Atomic int t64_pending_n;
void t64_pending_clear(int fd, unsigned old);

int t64_fd_set(int fd, unsigned flags);
void t64_fd_or(int fd, unsigned flags);
void t64_fd_clear(int fd, unsigned flags);
void t64_fd_forget(int fd);
void t64_fd_forget_range(unsigned first, unsigned last);
void t64_fd_copy(int from, int to);
void t64_fd_received(const struct msghdr *msg);

int t64_fcntl(t64_fn_fcntl *real, int fd, int cmd, va_list ap);
#endif
