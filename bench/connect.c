/*
 * connect benchmark: N x (socket + connect + close) to ADDR:PORT, with an accepting thread on [::]:PORT in the same
 * process, so the measured side and the listener share one namespace and nothing else runs.
 *
 *   connect FAMILY ADDR PORT N       FAMILY is 4 or 6; prints nanoseconds per iteration on stdout
 *
 * The listener is AF_INET6 (dual stack) so it is left alone by the interposer; the client sockets are the program's
 * own AF_INET (or AF_INET6) sockets, exactly as an IPv4-only program would make them. SO_LINGER 0 closes with a
 * reset so that no TIME_WAIT state accumulates across rounds (both sides of every ratio do the same).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listener;

static void *acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(listener, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	int off = 0, on = 1;
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s, 4096)) {
		perror("listener");
		exit(1);
	}
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: connect 4|6 ADDR PORT N\n");
		return 2;
	}
	int family = atoi(argv[1]) == 6 ? AF_INET6 : AF_INET;
	int port = atoi(argv[3]);
	long n = atol(argv[4]);
	struct sockaddr_storage dst = { 0 };
	socklen_t dlen;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&dst;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		dlen = sizeof(*s4);
		if (inet_pton(AF_INET, argv[2], &s4->sin_addr) != 1)
			return 2;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&dst;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		dlen = sizeof(*s6);
		if (inet_pton(AF_INET6, argv[2], &s6->sin6_addr) != 1)
			return 2;
	}
	listener = listen_on(port);
	pthread_t t;
	pthread_create(&t, NULL, acceptor, NULL);

	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int s = socket(family, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&dst, dlen)) {
			perror("connect");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.1f\n", ns / n);
	return 0;
}
