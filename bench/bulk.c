/*
 * Bulk transfer and connect loops, for the loopback namespace and for the lab (through NAT64 or a CLAT):
 *
 *   bulk loop 4|6 ADDR PORT BYTES  one process: a sink thread on [::]:PORT (dual stack, left alone by the interposer)
 *                                  and the program's own socket (AF_INET for 4) sending BYTES to ADDR:PORT in 256 KiB
 *                                  writes; prints "SECONDS CPU_SECONDS" (wall time until the sink has read everything)
 *   bulk sink PORT                 the server side in the lab: an AF_INET listener on 0.0.0.0:PORT that reads every
 *                                  connection to its end and closes it (one at a time); prints "ready"
 *   bulk send ADDR PORT BYTES      an IPv4 program: sends BYTES to ADDR:PORT, waits for the sink's close;
 *                                  prints "SECONDS CPU_SECONDS" (CPU = this process's user + system time)
 *   bulk connect ADDR PORT N       an IPv4 program: N x (socket + connect + close with a reset) to ADDR:PORT;
 *                                  prints "NS_PER_CONNECT CPU_SECONDS"
 *   bulk first ADDR PORT           an IPv4 program's first connect: prints the nanoseconds of socket + connect
 *   bulk dns RESOLVER6             one DNS round trip from a fresh process: socket, AAAA query for ipv4only.arpa to
 *                                  [RESOLVER6]:53, answer; prints the nanoseconds (what discovery costs at least)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"

#define CHUNK (256 << 10)

static char buf[CHUNK];

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static int dial(int family, const char *text, int port)
{
	struct sockaddr_storage dst;
	socklen_t len = addr(family, text, port, &dst);
	int s = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&dst, len))
		die("connect");
	return s;
}

static void drain(int c)
{
	static char sink[CHUNK];

	while (read(c, sink, sizeof sink) > 0)
		;
}

static void *loop_sink(void *arg)
{
	int c = accept(*(int *)arg, NULL, NULL);

	if (c < 0)
		die("accept");
	drain(c);
	close(c);
	return NULL;
}

static void send_all(int s, long long bytes)
{
	while (bytes > 0) {
		ssize_t w = write(s, buf, bytes < CHUNK ? bytes : CHUNK);
		if (w <= 0)
			die("write");
		bytes -= w;
	}
}

static int loop(int family, const char *text, int port, long long bytes)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	int off = 0, on = 1, l = socket(AF_INET6, SOCK_STREAM, 0);
	pthread_t t;

	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) || bind(l, (struct sockaddr *)&any, sizeof any) ||
	    listen(l, 16))
		die("listener");
	pthread_create(&t, NULL, loop_sink, &l);
	double c0 = cpu(), t0 = now();
	int s = dial(family, text, port);
	send_all(s, bytes);
	close(s);
	pthread_join(t, NULL);
	printf("%.6f %.6f\n", now() - t0, cpu() - c0);
	return 0;
}

static int sink(int port)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(port) };
	int on = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) ||
	    bind(l, (struct sockaddr *)&any, sizeof any) || listen(l, 4096))
		die("listener");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		drain(c);
		close(c);
	}
	return 0;
}

static int send_to(const char *text, int port, long long bytes)
{
	double c0 = cpu(), t0 = now();
	int s = dial(4, text, port);

	send_all(s, bytes);
	shutdown(s, SHUT_WR);
	drain(s); /* the sink closes once it has read everything */
	close(s);
	printf("%.6f %.6f\n", now() - t0, cpu() - c0);
	return 0;
}

static int connects(const char *text, int port, long n)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	double c0 = cpu(), t0 = now();

	for (long i = 0; i < n; i++) {
		int s = dial(4, text, port);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(s);
	}
	printf("%.1f %.6f\n", (now() - t0) * 1e9 / n, cpu() - c0);
	return 0;
}

static int first(const char *text, int port)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	double t0 = now();
	int s = dial(4, text, port);
	double t1 = now();

	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(s);
	printf("%.0f\n", (t1 - t0) * 1e9);
	return 0;
}

static int dns(const char *resolver)
{
	static const unsigned char query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 8, 'i', 'p', 'v', '4', 'o',
					       'n', 'l', 'y', 4, 'a', 'r', 'p', 'a', 0, 0, 28, 0, 1 };
	struct sockaddr_storage dst;
	socklen_t len = addr(6, resolver, 53, &dst);
	unsigned char answer[512];
	double t0 = now();
	int s = socket(AF_INET6, SOCK_DGRAM, 0);

	if (s < 0 || sendto(s, query, sizeof query, 0, (struct sockaddr *)&dst, len) != sizeof query ||
	    recv(s, answer, sizeof answer, 0) < 12)
		die("dns");
	double t1 = now();
	close(s);
	printf("%.0f\n", (t1 - t0) * 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	memset(buf, 'x', sizeof buf);
	if (argc == 6 && strcmp(argv[1], "loop") == 0)
		return loop(atoi(argv[2]), argv[3], atoi(argv[4]), atoll(argv[5]));
	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]));
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_to(argv[2], atoi(argv[3]), atoll(argv[4]));
	if (argc == 5 && strcmp(argv[1], "connect") == 0)
		return connects(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 4 && strcmp(argv[1], "first") == 0)
		return first(argv[2], atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "dns") == 0)
		return dns(argv[2]);
	fprintf(stderr, "usage: bulk loop 4|6 ADDR PORT BYTES | sink PORT | send ADDR PORT BYTES | connect ADDR PORT N | "
			"first ADDR PORT | dns RESOLVER6\n");
	return 2;
}
