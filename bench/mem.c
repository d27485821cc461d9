/*
 * Resident memory of a small program with one connected socket:
 *
 *   mem 4|6 ADDR PORT    a listener on [::]:PORT (dual stack), then the program's own socket (AF_INET for 4, which
 *                        tnat64 converts) connected to ADDR:PORT; prints "VMRSS_KB connected|unconnected" from
 *                        /proc/self/status (without tnat64 an AF_INET connect to a NAT64-only address fails)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mem 4|6 ADDR PORT\n");
		return 2;
	}
	int v4 = atoi(argv[1]) == 4, port = atoi(argv[3]), off = 0, on = 1;
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) || bind(l, (struct sockaddr *)&any, sizeof any) ||
	    listen(l, 4)) {
		perror("listener");
		return 1;
	}
	int s = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || (v4 ? inet_pton(AF_INET, argv[2], &a4.sin_addr) : inet_pton(AF_INET6, argv[2], &a6.sin6_addr)) != 1) {
		perror("socket");
		return 1;
	}
	/* Without tnat64 an IPv4 connect to a NAT64-only destination fails (no route): same code path up to here. */
	int ok = connect(s, v4 ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6, v4 ? sizeof a4 : sizeof a6) == 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			printf("%ld %s\n", strtol(line + 6, NULL, 10), ok ? "connected" : "unconnected");
	return 0;
}
