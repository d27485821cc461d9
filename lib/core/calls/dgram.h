/*
 * Datagrams received on converted sockets (sender and ancillary data in
 * IPv4 form) and on mapped ones (senders in ::ffff: form, calls/mapped.c).
 */
#ifndef T64_DGRAM_H
#define T64_DGRAM_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "sock/fdtab.h"
#include "base/real.h"

/* Room for the kernel's IPv6 ancillary data of one datagram. */
#define T64_CMSG_ROOM 512

int t64_name_in(const struct sockaddr_in6 *sin6, socklen_t l6,
		struct sockaddr *addr, socklen_t *lenp);
size_t t64_cmsg_room(size_t controllen);
ssize_t t64_cmsg_in(const struct msghdr *prog, unsigned char *buf, size_t room);
void t64_cmsg_out(const struct msghdr *mine, struct msghdr *prog,
		  const struct sockaddr_in6 *from);

/* t64_recv_converted returns 1 when fd is a converted datagram socket. */
static inline int t64_recv_converted(int fd)
{
	unsigned want = T64_FD_CONVERTED | T64_FD_DGRAM;

	return (t64_fd_get(fd) & want) == want;
}

/*
 * t64_recv_mapped returns 1 when fd is a mapped datagram socket
 * (calls/mapped.c). Asked after t64_recv_converted, with a load of its
 * own, so that the converted socket's path stays as short as it was.
 */
static inline int t64_recv_mapped(int fd)
{
	unsigned want = T64_FD_MAPPED | T64_FD_DGRAM;

	return (t64_fd_get(fd) & want) == want;
}

ssize_t t64_recvfrom_logic(t64_fn_recvfrom *real, int fd, void *buf, size_t n,
			   int flags, struct sockaddr *addr, socklen_t *lenp);
T64_APART
ssize_t t64_mapped_recvfrom(t64_fn_recvfrom *real, int fd, void *buf, size_t n,
			    int flags, struct sockaddr *addr, socklen_t *lenp);
ssize_t t64_recvmsg_logic(t64_fn_recvmsg *real, int fd, struct msghdr *msg,
			  int flags);
int t64_recvmmsg_logic(t64_fn_recvmmsg *real, int fd, struct mmsghdr *vec,
		       unsigned vlen, int flags, struct timespec *timeout);

#endif
