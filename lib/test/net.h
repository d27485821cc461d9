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

#endif
