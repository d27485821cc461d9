/* Socket helpers shared by the C test programs (hooks.c, udp.c, lifecycle.c, robust.c, standin.c, options.c ...). */
#ifndef T64_TEST_NET_H
#define T64_TEST_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/* ms_since returns the milliseconds since t0 (CLOCK_MONOTONIC). */
static inline long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* real_domain asks the kernel directly (no hook) for fd's address family. */
static inline int real_domain(int fd)
{
	int v = -1;
	socklen_t l = sizeof v;

	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0)
		return -1;
	return v;
}

/* sin4 builds an AF_INET address from text and a port. */
static inline struct sockaddr_in sin4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* same4 returns 1 when a is AF_INET ip:port. */
static inline int same4(const struct sockaddr_in *a, const char *ip,
			uint16_t port)
{
	struct sockaddr_in b = sin4(ip, port);

	return a->sin_family == AF_INET && a->sin_port == b.sin_port &&
	       a->sin_addr.s_addr == b.sin_addr.s_addr;
}

/*
 * listener6 returns a plain dual-stack AF_INET6 TCP listener (the library
 * leaves it alone) on [::]:0; *port set. Exits with 2 when impossible.
 */
static inline int listener6(uint16_t *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	socklen_t l = sizeof a;
	int off = 0, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("listener6");
		exit(2);
	}
	*port = ntohs(a.sin6_port);
	return fd;
}

/* udp6 returns a plain IPv6 UDP socket bound to [ip]:0. */
static inline int udp6(const char *ip)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), on = 1;

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("udp6");
		_exit(2);
	}
	return fd;
}

/* connect4 connects a new blocking AF_INET TCP socket to ip:port; returns it or -1 (errno kept). */
static inline int connect4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = sin4(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* peer_is returns 1 when fd's peer, as the program sees it, is AF_INET ip:port. */
static inline int peer_is(int fd, const char *ip, uint16_t port)
{
	struct sockaddr_in p;
	socklen_t l = sizeof p;

	return getpeername(fd, (struct sockaddr *)&p, &l) == 0 && l == sizeof p && same4(&p, ip, port);
}

/* so_error returns the SO_ERROR of fd, or -1 when getsockopt fails. */
static inline int so_error(int fd)
{
	int e = -1;
	socklen_t l = sizeof e;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) == 0 ? e : -1;
}

/* standin returns 1 when text is in 198.19.0.0/16. */
static inline int standin(const char *text)
{
	return strncmp(text, "198.19.", 7) == 0;
}

/* readable waits up to ms for fd to have something. */
static inline int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/*
 * udp_peer6 returns a dual-stack AF_INET6 UDP socket on [::]:0 that reports
 * the destination address of what it receives (IPV6_PKTINFO) and may answer
 * from any address (IP_FREEBIND: the routed prefix, which no interface
 * carries); *port set. Exits with 2 when impossible.
 */
static inline int udp_peer6(uint16_t *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	socklen_t l = sizeof a;
	int off = 0, on = 1, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("udp_peer6");
		exit(2);
	}
	*port = ntohs(a.sin6_port);
	return fd;
}

/*
 * peer_recv6 receives one datagram on udp_peer6 pfd within 2 s: the sender
 * in *from, the address it was sent to in *to. Returns the length, or -1.
 */
static inline ssize_t peer_recv6(int pfd, char *buf, size_t n, struct sockaddr_in6 *from,
				 struct sockaddr_in6 *to)
{
	_Alignas(struct cmsghdr) char ctl[256];
	struct iovec iov = { buf, n };
	struct msghdr m = { .msg_name = from, .msg_namelen = sizeof *from,
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof ctl };
	ssize_t rc;

	memset(to, 0, sizeof *to);
	if (!readable(pfd, 2000))
		return -1;
	rc = recvmsg(pfd, &m, 0);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); rc >= 0 && c != NULL;
	     c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			to->sin6_family = AF_INET6;
			memcpy(&to->sin6_addr,
			       &((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_addr, 16);
		}
	return rc;
}

/* peer_send6 sends msg from udp_peer6 pfd to dst, from the source address src (IPV6_PKTINFO); 1 when all of it went. */
static inline int peer_send6(int pfd, const struct sockaddr_in6 *dst, const char *src,
			     const char *msg)
{
	_Alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	struct iovec iov = { (void *)msg, strlen(msg) };
	struct msghdr m = { .msg_name = (void *)dst, .msg_namelen = sizeof *dst,
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct in6_pktinfo pi = { 0 };

	inet_pton(AF_INET6, src, &pi.ipi6_addr);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof pi);
	memcpy(CMSG_DATA(c), &pi, sizeof pi);
	return sendmsg(pfd, &m, 0) == (ssize_t)strlen(msg);
}

#endif
