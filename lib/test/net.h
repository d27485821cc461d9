/* Address helpers shared by the hook test programs (hooks.c, udp.c). */
#ifndef T64_TEST_NET_H
#define T64_TEST_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

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

#endif
