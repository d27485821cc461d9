/* Shared by the bench programs: die on error, and an IPv4 (family 4) or IPv6 (family 6) address from text. */
#ifndef BENCH_ADDR_H
#define BENCH_ADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* addr fills dst for FAMILY (4: sockaddr_in, 6: sockaddr_in6) and returns its length. */
static socklen_t addr(int family, const char *text, int port, struct sockaddr_storage *dst)
{
	memset(dst, 0, sizeof *dst);
	if (family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)dst;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, text, &a->sin_addr) != 1)
			die("address");
		return sizeof *a;
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)dst;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	if (inet_pton(AF_INET6, text, &a->sin6_addr) != 1)
		die("address");
	return sizeof *a;
}

#endif
