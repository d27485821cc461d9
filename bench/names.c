/*
 * getpeername()/getsockname() benchmark: nanoseconds per call on one connected socket.
 *
 *   names 4|6 ADDR PORT N      connect an AF_INET (or AF_INET6) socket to ADDR:PORT (a listener on [::]:PORT is made
 *                              first), then time N getpeername() and N getsockname() calls; prints "PEER SOCK"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: names 4|6 ADDR PORT N\n");
		return 2;
	}
	int family = atoi(argv[1]) == 6 ? AF_INET6 : AF_INET, port = atoi(argv[3]), off = 0;
	long n = atol(argv[4]);
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(l, (struct sockaddr *)&any, sizeof(any)) || listen(l, 1)) {
		perror("listener");
		return 1;
	}
	struct sockaddr_storage dst = { 0 };
	socklen_t dlen;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&dst;
		*s4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
		dlen = sizeof(*s4);
		if (inet_pton(AF_INET, argv[2], &s4->sin_addr) != 1)
			return 2;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&dst;
		*s6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(port) };
		dlen = sizeof(*s6);
		if (inet_pton(AF_INET6, argv[2], &s6->sin6_addr) != 1)
			return 2;
	}
	int s = socket(family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&dst, dlen)) {
		perror("connect");
		return 1;
	}
	struct sockaddr_storage a;
	socklen_t alen;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		alen = sizeof(a);
		if (getpeername(s, (struct sockaddr *)&a, &alen))
			return 1;
	}
	double t1 = now_ns();
	for (long i = 0; i < n; i++) {
		alen = sizeof(a);
		if (getsockname(s, (struct sockaddr *)&a, &alen))
			return 1;
	}
	double t2 = now_ns();
	printf("%.1f %.1f\n", (t1 - t0) / n, (t2 - t1) / n);
	return 0;
}
