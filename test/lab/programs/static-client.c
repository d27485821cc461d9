/*
 * An IPv4-only program for test/lab/seccomp.test.ts, built with gcc -static and musl-gcc -static (LD_PRELOAD cannot
 * reach it). It uses nothing but AF_INET sockets and prints what it observes as one JSON line per event.
 *
 *   static-client tcp HOST PORT PAYLOAD [shut]   blocking connect, send PAYLOAD (\r \n unescaped), with `shut`
 *                                                shutdown(SHUT_WR), read to EOF; peer and local address, the bytes
 *   static-client nonblocking HOST PORT PAYLOAD  O_NONBLOCK socket registered with epoll (EPOLLOUT) BEFORE connect:
 *                                                connect's errno, the event, SO_ERROR, O_NONBLOCK still set, then
 *                                                the exchange (shutdown(SHUT_WR), read to EOF through epoll)
 *   static-client udp HOST PORT PAYLOAD          sendto, recvfrom: the sender's family and address, the bytes
 *   static-client server PORT COUNT              bind 0.0.0.0:PORT, listen, print {"listening":PORT}, then COUNT
 *                                                times accept(): the peer accept() reports (family, address,
 *                                                addrlen), getpeername of the accepted socket; reads a line and
 *                                                sends it back upper-cased
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EINPROGRESS: return "EINPROGRESS";
	case ENETUNREACH: return "ENETUNREACH";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EAGAIN: return "EAGAIN";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EINVAL: return "EINVAL";
	case EADDRINUSE: return "EADDRINUSE";
	case ENOTCONN: return "ENOTCONN";
	default: return "other";
	}
}

/* JSON string of n bytes. */
static void jstr(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *family(int f)
{
	return f == AF_INET ? "AF_INET" : f == AF_INET6 ? "AF_INET6" : "other";
}

/* {"family":…,"address":…,"port":…,"len":…} of a sockaddr as the program received it. */
static void jaddr(const struct sockaddr_storage *ss, socklen_t len)
{
	char text[INET6_ADDRSTRLEN] = "?";
	int port = -1;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
		port = ntohs(sin6->sin6_port);
	}
	printf("{\"family\":\"%s\",\"address\":\"%s\",\"port\":%d,\"len\":%u}", family(ss->ss_family), text, port, (unsigned)len);
}

static void names(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof ss);
	len = sizeof ss;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		printf(",\"peer\":\"%s\"", errname(errno));
	else
		fputs(",\"peer\":", stdout), jaddr(&ss, len);
	memset(&ss, 0, sizeof ss);
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		printf(",\"sock\":\"%s\"", errname(errno));
	else
		fputs(",\"sock\":", stdout), jaddr(&ss, len);
}

/* The payload argument with \r and \n written as escapes. */
static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	for (; *in; in++) {
		if (in[0] == '\\' && in[1] == 'n')
			out[n++] = '\n', in++;
		else if (in[0] == '\\' && in[1] == 'r')
			out[n++] = '\r', in++;
		else
			out[n++] = *in;
	}
	return n;
}

static struct sockaddr_in target(const char *host, const char *port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "static-client: not an IPv4 address: %s\n", host);
		exit(2);
	}
	return sin;
}

/* A line of output begun and not ended yet: an error goes on a line of its own. */
static int partial;

static void fail(const char *what)
{
	if (partial)
		putchar('\n');
	printf("{\"error\":\"%s\",\"errno\":\"%s\",\"text\":\"%s\"}\n", what, errname(errno), strerror(errno));
	exit(1);
}

static char buf[1 << 20];

static int tcp(char **argv, int argc)
{
	struct sockaddr_in sin = target(argv[2], argv[3]);
	char payload[4096];
	size_t n = unescape(argv[4], payload), got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
		fail("connect");
	fputs("{\"mode\":\"tcp\"", stdout);
	names(fd);
	partial = 1;
	if (write(fd, payload, n) != (ssize_t)n)
		fail("write");
	if (argc > 5 && strcmp(argv[5], "shut") == 0 && shutdown(fd, SHUT_WR) < 0)
		fail("shutdown");
	for (;;) {
		ssize_t r = read(fd, buf + got, sizeof buf - got);
		if (r < 0)
			fail("read");
		if (r == 0)
			break;
		got += (size_t)r;
	}
	fputs(",\"data\":", stdout);
	jstr(buf, got);
	puts("}");
	return 0;
}

static int nonblocking(char **argv)
{
	struct sockaddr_in sin = target(argv[2], argv[3]);
	char payload[4096];
	size_t n = unescape(argv[4], payload), got = 0;
	struct epoll_event ev = { .events = EPOLLOUT }, out;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ep = epoll_create1(0), rc, cerr, soerr = -1, nb, events;
	socklen_t len = sizeof soerr;

	if (fd < 0 || ep < 0)
		fail("socket");
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		fail("fcntl");
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		fail("epoll_ctl");
	rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
	cerr = rc < 0 ? errno : 0;
	events = epoll_wait(ep, &out, 1, 5000);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	nb = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
	printf("{\"mode\":\"nonblocking\",\"connect\":\"%s\",\"events\":%d,\"epollout\":%s,\"fd\":%s,\"so_error\":\"%s\",\"nonblock\":%s",
	       errname(cerr), events, events == 1 && (out.events & EPOLLOUT) ? "true" : "false",
	       events == 1 && out.data.fd == fd ? "true" : "false", errname(soerr), nb ? "true" : "false");
	names(fd);
	partial = 1;
	if (write(fd, payload, n) != (ssize_t)n)
		fail("write");
	shutdown(fd, SHUT_WR);
	ev.events = EPOLLIN;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0)
		fail("epoll_ctl");
	for (int rounds = 0; rounds < 1000; rounds++) {
		ssize_t r;

		if (epoll_wait(ep, &out, 1, 5000) != 1)
			break;
		r = read(fd, buf + got, sizeof buf - got);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	fputs(",\"data\":", stdout);
	jstr(buf, got);
	puts("}");
	return 0;
}

static int udp(char **argv)
{
	struct sockaddr_in sin = target(argv[2], argv[3]);
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	char payload[4096];
	size_t n = unescape(argv[4], payload);
	struct pollfd p;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		fail("socket");
	if (sendto(fd, payload, n, 0, (struct sockaddr *)&sin, sizeof sin) != (ssize_t)n)
		fail("sendto");
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 5000) != 1) {
		errno = ETIMEDOUT;
		fail("poll");
	}
	memset(&from, 0, sizeof from);
	r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	if (r < 0)
		fail("recvfrom");
	fputs("{\"mode\":\"udp\",\"from\":", stdout);
	jaddr(&from, len);
	fputs(",\"data\":", stdout);
	jstr(buf, (size_t)r);
	puts("}");
	return 0;
}

static int server(char **argv)
{
	struct sockaddr_in sin;
	int one = 1, count = atoi(argv[3]);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	socklen_t len;

	if (lfd < 0)
		fail("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0)
		fail("bind");
	if (listen(lfd, 8) < 0)
		fail("listen");
	memset(&ss, 0, sizeof ss);
	len = sizeof ss;
	getsockname(lfd, (struct sockaddr *)&ss, &len);
	fputs("{\"listening\":", stdout);
	jaddr(&ss, len);
	puts("}");
	fflush(stdout);
	for (int i = 0; i < count; i++) {
		size_t got = 0;
		int fd;

		memset(&ss, 0, sizeof ss);
		len = sizeof ss;
		fd = accept(lfd, (struct sockaddr *)&ss, &len);
		if (fd < 0)
			fail("accept");
		while (got < sizeof buf) {
			ssize_t r = read(fd, buf + got, sizeof buf - got);
			if (r <= 0)
				break;
			got += (size_t)r;
			if (buf[got - 1] == '\n')
				break;
		}
		fputs("{\"accepted\":", stdout);
		jaddr(&ss, len);
		names(fd);
		fputs(",\"data\":", stdout);
		jstr(buf, got);
		puts("}");
		fflush(stdout);
		for (size_t k = 0; k < got; k++)
			buf[k] = (char)toupper((unsigned char)buf[k]);
		if (write(fd, buf, got) < 0)
			fail("write");
		close(fd);
	}
	return 0;
}

/*
 * mapped HOST TCPPORT UDPPORT PAYLOAD: a dual-stack program's way (Java's): its own AF_INET6 sockets, IPV6_V6ONLY
 * off, connecting and sending to [::ffff:HOST]; prints what getpeername, recvfrom and the server say.
 */
static int mapped(char **argv)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	char payload[4096], text[64];
	size_t n = unescape(argv[5], payload), got = 0;
	int off = 0, fd = socket(AF_INET6, SOCK_STREAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0);
	ssize_t r;

	snprintf(text, sizeof text, "::ffff:%s", argv[2]);
	if (fd < 0 || u < 0 || inet_pton(AF_INET6, text, &to.sin6_addr) != 1)
		fail("socket");
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	to.sin6_port = htons((uint16_t)atoi(argv[3]));
	if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0)
		fail("connect");
	fputs("{\"mode\":\"mapped\"", stdout);
	memset(&from, 0, sizeof from);
	if (getpeername(fd, (struct sockaddr *)&from, &len) < 0)
		fail("getpeername");
	fputs(",\"peer\":", stdout), jaddr(&from, len);
	partial = 1;
	if (write(fd, payload, n) != (ssize_t)n)
		fail("write");
	while ((r = read(fd, buf + got, sizeof buf - got)) > 0)
		got += (size_t)r;
	fputs(",\"data\":", stdout);
	jstr(buf, got);
	to.sin6_port = htons((uint16_t)atoi(argv[4]));
	if (sendto(u, "mapped", 6, 0, (struct sockaddr *)&to, sizeof to) != 6)
		fail("sendto");
	len = sizeof from;
	memset(&from, 0, sizeof from);
	if ((r = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &len)) < 0)
		fail("recvfrom");
	fputs(",\"from\":", stdout), jaddr(&from, len);
	fputs(",\"reply\":", stdout);
	jstr(buf, (size_t)r);
	puts("}");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && strcmp(argv[1], "tcp") == 0)
		return tcp(argv, argc);
	if (argc == 5 && strcmp(argv[1], "nonblocking") == 0)
		return nonblocking(argv);
	if (argc == 5 && strcmp(argv[1], "udp") == 0)
		return udp(argv);
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return server(argv);
	if (argc == 6 && strcmp(argv[1], "mapped") == 0)
		return mapped(argv);
	fputs("usage: static-client tcp|nonblocking|udp HOST PORT PAYLOAD | server PORT COUNT | mapped HOST TCPPORT UDPPORT PAYLOAD\n", stderr);
	return 2;
}
