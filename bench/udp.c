/*
 * UDP benchmark, one process, one namespace (the prefix routed to lo):
 *
 *   udp send FAMILY ADDR PORT N   N x sendto of 32 bytes to ADDR:PORT (a sink AF_INET6 socket on [::]:PORT that
 *                                 nobody reads); prints nanoseconds per sendto
 *   udp recv FAMILY SRC6 N        N datagrams from a native AF_INET6 socket bound to SRC6 (e.g. a synthesized
 *                                 address) into the program's own socket (AF_INET if FAMILY is 4), in batches of
 *                                 256; prints nanoseconds per recvfrom (only the recvfrom calls are timed)
 *   udp recvmsg FAMILY SRC6 N     the same with recvmsg (a name buffer, no control room)
 *
 * FAMILY 4 makes the program's socket AF_INET, as an IPv4-only program would; 6 makes it AF_INET6 (native).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"

#define BATCH 256

static long long now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int send_bench(int family, const char *text, int port, long n)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_storage dst;
	socklen_t dlen = addr(family, text, port, &dst);
	int off = 0, sink = socket(AF_INET6, SOCK_DGRAM, 0);
	int s = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	char buf[32] = "x";

	if (sink < 0 || setsockopt(sink, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) ||
	    bind(sink, (struct sockaddr *)&any, sizeof any) || s < 0)
		die("sockets");
	for (long i = 0; i < n / 10; i++) /* warm up */
		sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&dst, dlen);
	long long t0 = now();
	for (long i = 0; i < n; i++)
		if (sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&dst, dlen) != sizeof buf)
			die("sendto");
	printf("%.1f\n", (double)(now() - t0) / n);
	return 0;
}

static int recv_bench(int family, const char *src, long n, int msg)
{
	struct sockaddr_in6 from6 = { .sin6_family = AF_INET6 }, to6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage me, peer;
	socklen_t l = sizeof me, pl;
	int on = 1, big = 8 << 20;
	int r = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0), s = socket(AF_INET6, SOCK_DGRAM, 0);
	long long total = 0;
	char buf[64] = "x";

	inet_pton(AF_INET6, src, &from6.sin6_addr);
	if (r < 0 || s < 0 || setsockopt(s, IPPROTO_IP, IP_FREEBIND, &on, sizeof on) ||
	    bind(s, (struct sockaddr *)&from6, sizeof from6))
		die("sockets");
	setsockopt(r, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
	memset(&me, 0, sizeof me);
	me.ss_family = family == 4 ? AF_INET : AF_INET6;
	if (bind(r, (struct sockaddr *)&me, family == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    getsockname(r, (struct sockaddr *)&me, &l))
		die("bind");
	to6.sin6_addr = in6addr_loopback;
	to6.sin6_port = family == 4 ? ((struct sockaddr_in *)&me)->sin_port : ((struct sockaddr_in6 *)&me)->sin6_port;
	for (long done = 0; done < n; done += BATCH) {
		for (int i = 0; i < BATCH; i++)
			if (sendto(s, buf, 32, 0, (struct sockaddr *)&to6, sizeof to6) != 32)
				die("sendto");
		long long t0 = now();
		for (int i = 0; i < BATCH; i++) {
			struct iovec iov = { buf, sizeof buf };
			struct msghdr m = { .msg_name = &peer, .msg_namelen = sizeof peer, .msg_iov = &iov, .msg_iovlen = 1 };

			pl = sizeof peer;
			if ((msg ? recvmsg(r, &m, 0) : recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&peer, &pl)) != 32)
				die("recvfrom");
		}
		total += now() - t0;
	}
	printf("%.1f\n", (double)total / (n - n % BATCH + (n % BATCH ? BATCH : 0)));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_bench(atoi(argv[2]), argv[3], atoi(argv[4]), atol(argv[5]));
	if (argc == 5 && (strcmp(argv[1], "recv") == 0 || strcmp(argv[1], "recvmsg") == 0))
		return recv_bench(atoi(argv[2]), argv[3], atol(argv[4]), argv[1][4] == 'm');
	fprintf(stderr, "usage: udp send 4|6 ADDR PORT N | udp recv|recvmsg 4|6 SRC6 N\n");
	return 2;
}
