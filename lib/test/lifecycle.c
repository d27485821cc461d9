/*
 * Socket lifecycle tests: a NAT64 connect that fails after EINPROGRESS
 * (fallback in getsockopt(SO_ERROR)), bind(0.0.0.0:P) before connect and
 * the peers a dual-stack IPv4 server is shown, sockets inherited across
 * execve. Run under LD_PRELOAD=libtnat64.so in a network namespace
 * prepared by run.sh. Usage: lifecycle CASE [ARGS...]; prints "N passed,
 * M failed". Listeners are plain AF_INET6 sockets (left alone).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

/* This program's path as run (not /proc/self/exe: under valgrind that is valgrind's). */
static const char *self;

/* local_of accepts the next connection on lfd (3 s) and writes its local address as text; returns the fd or -1. */
static int local_of(int lfd, char text[INET6_ADDRSTRLEN])
{
	struct sockaddr_in6 me;
	socklen_t l = sizeof me;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	text[0] = 0;
	if (poll(&p, 1, 3000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0)
		return -1;
	if (getsockname(fd, (struct sockaddr *)&me, &l) == 0)
		inet_ntop(AF_INET6, &me.sin6_addr, text, INET6_ADDRSTRLEN);
	return fd;
}

/* start connects a new non-blocking converted socket to ip:port; returns it, connect's errno in *err (0: at once). */
static int start(const char *ip, uint16_t port, int *err)
{
	struct sockaddr_in a = sin4(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	*err = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
	return fd;
}

/* writable waits up to ms for POLLOUT on fd; returns the revents (0: timeout). */
static int writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* wait_raw waits for fd's connect to end past the poll hook (a raw ppoll), as a program the hook misses would. */
static int wait_raw(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	return syscall(SYS_ppoll, &p, 1, &ts, NULL, (size_t)8) == 1;
}

/*
 * case_async DEST [UNROUTED]: the prefix leads to a neighbour that never
 * answers (EHOSTUNREACH after EINPROGRESS). A non-blocking connect to
 * DEST (an IPv4 address of this host) gets SO_ERROR 0 and is connected
 * over IPv4; the next connect goes straight to IPv4 (remembered); a
 * closed port's refusal comes in the next SO_ERROR; UNROUTED (no IPv4
 * route) fails both ways: SO_ERROR gives the NAT64 attempt's EHOSTUNREACH,
 * more telling than the IPv4 attempt's ENETUNREACH.
 */
static void case_async(int argc, char **argv)
{
	uint16_t port = 0;
	int lfd = listener6(&port), err, fd, n, e;
	char text[INET6_ADDRSTRLEN];
	struct sockaddr_in p;
	socklen_t l = sizeof p;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = start(argv[0], port, &err);
	CHECK(err == EINPROGRESS, "NAT64 connect in progress: %s", strerror(err));
	CHECK(writable(fd, 5000) != 0, "poll reports the failure");
	errno = 4242;
	e = so_error(fd);
	CHECK(e == 0, "SO_ERROR after the fallback: %s", strerror(e));
	CHECK(errno == 4242, "errno kept: %d", errno);
	CHECK(writable(fd, 3000) == POLLOUT, "connected over IPv4");
	CHECK(so_error(fd) == 0, "SO_ERROR 0 again");
	n = local_of(lfd, text);
	CHECK(n >= 0 && strncmp(text, "::ffff:", 7) == 0 && strstr(text, argv[0]) != NULL, "the kernel saw IPv4: %s", text);
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 && same4(&p, argv[0], port), "peer is DEST");
	CHECK(send(fd, "x", 1, MSG_NOSIGNAL) == 1, "send: %s", strerror(errno));
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "still non-blocking");
	close(n);
	close(fd);
	CHECK(ms_since(&t0) < 4000, "first connect within 4 s: %ld ms", ms_since(&t0));

	/* Remembered: the next connect goes to IPv4 at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = start(argv[0], port, &err);
	CHECK(err == EINPROGRESS || err == 0, "second connect: %s", strerror(err));
	CHECK(writable(fd, 2000) == POLLOUT && so_error(fd) == 0, "second connected");
	n = local_of(lfd, text);
	CHECK(n >= 0 && strstr(text, argv[0]) != NULL, "second over IPv4: %s", text);
	CHECK(ms_since(&t0) < 500, "second without waiting: %ld ms", ms_since(&t0));
	close(n);
	close(fd);
	close(lfd);

	if (argc < 2)
		return;
	/* No IPv4 route: the IPv4 attempt fails at once; SO_ERROR keeps the NAT64 attempt's error. */
	fd = start(argv[1], 1, &err);
	CHECK(err == EINPROGRESS, "unrouted: NAT64 in progress: %s", strerror(err));
	CHECK(writable(fd, 5000) != 0, "unrouted: poll");
	e = so_error(fd);
	CHECK(e == EHOSTUNREACH, "unrouted: SO_ERROR %s, want EHOSTUNREACH", strerror(e));
	close(fd);
}

/* epoll_events waits up to ms for EPOLLOUT on fd with epoll; returns the events (0: timeout). */
static unsigned epoll_events(int fd, int ms)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	n = epoll_wait(ep, &ev, 1, ms);
	close(ep);
	return n == 1 ? ev.events : 0;
}

/*
 * fell_back checks the end of a late fallback on fd (connect to dest, a
 * listener lfd): SO_ERROR said 0 (e), the socket then became writable
 * (connected), and lfd's connection came over IPv4. Closes fd and lfd.
 */
static void fell_back(int fd, int lfd, const char *dest, int e, int connected)
{
	char text[INET6_ADDRSTRLEN];
	int n;

	CHECK(e == 0, "SO_ERROR after the fallback: %s", strerror(e));
	CHECK(connected, "connected over IPv4");
	n = local_of(lfd, text);
	CHECK(n >= 0 && strstr(text, dest) != NULL, "the kernel saw IPv4: %s", text);
	close(n);
	close(fd);
	close(lfd);
}

/*
 * case_epoll DEST: the same failure seen through epoll (libuv, asyncio):
 * the kernel reports EPOLLERR, getsockopt(SO_ERROR) falls back and says 0,
 * and the socket becomes writable over IPv4.
 */
static void case_epoll(int argc, char **argv)
{
	uint16_t port = 0;
	int lfd = listener6(&port), err, fd, e;
	unsigned ev;

	(void)argc;
	fd = start(argv[0], port, &err);
	CHECK(err == EINPROGRESS, "NAT64 connect in progress: %s", strerror(err));
	ev = epoll_events(fd, 5000);
	CHECK(ev & EPOLLERR, "epoll reports the failure: %#x", ev);
	e = so_error(fd);
	fell_back(fd, lfd, argv[0], e, epoll_events(fd, 3000) == EPOLLOUT);
}

/*
 * case_again DEST: connect() called again while the NAT64 attempt is in
 * progress (EALREADY) keeps the fallback; the late failure still ends
 * connected over IPv4.
 */
static void case_again(int argc, char **argv)
{
	uint16_t port = 0;
	int lfd = listener6(&port), err, fd, e;
	struct sockaddr_in a;

	(void)argc;
	fd = start(argv[0], port, &err);
	a = sin4(argv[0], port);
	CHECK(err == EINPROGRESS, "NAT64 connect in progress: %s", strerror(err));
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == EALREADY, "again: EALREADY: %s", strerror(errno));
	CHECK(writable(fd, 5000) != 0, "poll");
	e = so_error(fd);
	fell_back(fd, lfd, argv[0], e, writable(fd, 3000) == POLLOUT);
}

/*
 * case_refused DEST: as case_async, to a closed port of DEST, the failure
 * read with SO_ERROR: that SO_ERROR reports the IPv4 connect's refusal
 * (it waits for it, briefly), as an AF_INET socket's SO_ERROR would.
 */
static void case_refused(int argc, char **argv)
{
	int err, fd, e;

	(void)argc;
	fd = start(argv[0], 1, &err);
	CHECK(err == EINPROGRESS, "NAT64 connect in progress: %s", strerror(err));
	CHECK(wait_raw(fd, 5000), "the NAT64 attempt fails");
	e = so_error(fd);
	CHECK(e == ECONNREFUSED, "refusal over IPv4 reported by the first SO_ERROR: %s", strerror(e));
	close(fd);
}

/*
 * case_blocking DEST: a blocking connect whose NAT64 attempt fails after
 * the kernel waited (no neighbour) falls back at once to IPv4.
 */
static void case_blocking(int argc, char **argv)
{
	uint16_t port = 0;
	int lfd = listener6(&port), n;
	struct sockaddr_in a = sin4(argv[0], port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char text[INET6_ADDRSTRLEN];

	(void)argc;
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "blocking connect: %s", strerror(errno));
	n = local_of(lfd, text);
	CHECK(n >= 0 && strstr(text, argv[0]) != NULL, "over IPv4: %s", text);
	close(n);
	close(fd);
	close(lfd);
}

/*
 * case_unreach UNROUTED: both ways fail. The NAT64 attempt gets EHOSTUNREACH
 * (its neighbour never answers), the IPv4 one ENETUNREACH (no IPv4 route):
 * a blocking connect reports the more telling EHOSTUNREACH, every time
 * (nothing is remembered).
 */
static void case_unreach(int argc, char **argv)
{
	struct sockaddr_in a = sin4(argv[0], 9);

	(void)argc;
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		errno = 0;
		CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == -1 && errno == EHOSTUNREACH,
		      "connect %d to %s: %s, want EHOSTUNREACH", i, argv[0], strerror(errno));
		close(fd);
	}
}

/* accepted_peer connects from [src] to [::1]:port and returns the IPv4 peer text accept gave, "" on failure. */
static void accepted_peer(int s, uint16_t port, const char *src, char out[INET_ADDRSTRLEN])
{
	struct sockaddr_in6 me = { .sin6_family = AF_INET6 }, to = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in p, q;
	socklen_t l = sizeof p, lq = sizeof q;
	int c = socket(AF_INET6, SOCK_STREAM, 0), n;

	out[0] = 0;
	inet_pton(AF_INET6, src, &me.sin6_addr);
	if (IN6_IS_ADDR_V4MAPPED(&me.sin6_addr))
		to.sin6_addr = me.sin6_addr;
	if (bind(c, (struct sockaddr *)&me, sizeof me) < 0 || connect(c, (struct sockaddr *)&to, sizeof to) < 0) {
		fprintf(stderr, "client from %s: %s\n", src, strerror(errno));
		close(c);
		return;
	}
	n = accept(s, (struct sockaddr *)&p, &l);
	if (n >= 0 && l == sizeof p && p.sin_family == AF_INET &&
	    getpeername(n, (struct sockaddr *)&q, &lq) == 0 && q.sin_addr.s_addr == p.sin_addr.s_addr)
		inet_ntop(AF_INET, &p.sin_addr, out, INET_ADDRSTRLEN);
	close(n);
	close(c);
}

/*
 * case_bind DEST SYNTH: a TCP socket bound to 0.0.0.0:P still connects
 * through NAT64 (the kernel sees SYNTH); with [::]:P taken by a separate
 * IPv6 socket, bind 0.0.0.0:P still works (IPv4 only); 127.0.0.1:P is not
 * widened; a server on 0.0.0.0:P shows IPv6 peers as global embedded IPv4
 * or 198.19/16 stand-ins (stable), never loopback.
 */
static void case_bind(int argc, char **argv)
{
	uint16_t port = 0, lp = 0;
	int lfd = listener6(&lp), one = 1, s, n, v6, c6;
	struct sockaddr_in a = sin4("0.0.0.0", 40123), to = sin4(argv[0], lp), p;
	socklen_t l = sizeof p;
	char text[INET6_ADDRSTRLEN], x[INET_ADDRSTRLEN], y[INET_ADDRSTRLEN];

	(void)argc;
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind 0.0.0.0:40123: %s", strerror(errno));
	CHECK(connect(s, (struct sockaddr *)&to, sizeof to) == 0, "connect through NAT64 after bind: %s", strerror(errno));
	n = local_of(lfd, text);
	CHECK(n >= 0 && strcmp(text, argv[1]) == 0, "the kernel saw %s: %s", argv[1], text);
	CHECK(getsockname(s, (struct sockaddr *)&p, &l) == 0 && same4(&p, "192.0.0.2", 40123), "own name 192.0.0.2:40123");
	l = sizeof p;
	CHECK(getpeername(s, (struct sockaddr *)&p, &l) == 0 && same4(&p, argv[0], lp), "peer DEST");
	close(n);
	close(s);
	close(lfd);

	/* [::]:P owned by an IPv6-only socket: the IPv4 server still binds. */
	v6 = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_port = htons(40124) };
	CHECK(bind(v6, (struct sockaddr *)&any6, sizeof any6) == 0, "IPv6-only [::]:40124");
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = sin4("0.0.0.0", 40124);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 8) == 0, "bind 0.0.0.0:40124 beside it: %s", strerror(errno));
	c6 = socket(AF_INET, SOCK_STREAM, 0);
	to = sin4("127.0.0.1", 40124);
	CHECK(connect(c6, (struct sockaddr *)&to, sizeof to) == 0, "IPv4 client reaches it");
	close(c6);
	close(s);
	close(v6);

	/* 127.0.0.1:P stays loopback only: [::1]:P refused. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = sin4("127.0.0.1", 40125);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 8) == 0, "bind 127.0.0.1:40125");
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_port = htons(40125), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	CHECK(connect(c6, (struct sockaddr *)&lo6, sizeof lo6) < 0 && errno == ECONNREFUSED, "[::1] refused");
	close(c6);
	close(s);

	/* A server on 0.0.0.0:P: what its IPv6 clients look like. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	port = 40126;
	a = sin4("0.0.0.0", port);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 8) == 0, "server 0.0.0.0:%u", port);
	accepted_peer(s, port, "::1", x);
	accepted_peer(s, port, "::1", y);
	CHECK(standin(x) && strcmp(x, y) == 0, "::1 -> stable stand-in: %s %s", x, y);
	accepted_peer(s, port, "64:ff9b:1::808:808", x);
	CHECK(strcmp(x, "8.8.8.8") == 0, "prefix + global -> embedded: %s", x);
	accepted_peer(s, port, "64:ff9b:1::7f00:1", x);
	CHECK(standin(x), "prefix + 127.0.0.1 -> stand-in: %s", x);
	accepted_peer(s, port, "64:ff9b:1::a00:1", x);
	CHECK(standin(x), "prefix + 10.0.0.1 -> stand-in: %s", x);
	accepted_peer(s, port, "2001:db8::7f00:1", x);
	CHECK(standin(x), "native 2001:db8::7f00:1 -> stand-in: %s", x);
	accepted_peer(s, port, "::ffff:127.0.0.1", x);
	CHECK(strcmp(x, "127.0.0.1") == 0, "IPv4 client as itself: %s", x);
	close(s);
}

/* check_inherited: in the new program, fds converted before execve look IPv4, genuine IPv6 ones do not. */
static void check_inherited(int argc, char **argv)
{
	int c1 = atoi(argv[0]), c2 = atoi(argv[1]), u1 = atoi(argv[2]), g = atoi(argv[3]), ls = atoi(argv[4]);
	const char *dest = argv[5];
	uint16_t port = (uint16_t)atoi(argv[6]);
	struct sockaddr_in p;
	struct sockaddr_in6 p6;
	socklen_t l = sizeof p;
	int d = 0;

	(void)argc;
	CHECK(getsockopt(c1, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0 && d == AF_INET, "NAT64 socket: SO_DOMAIN %d", d);
	l = sizeof p;
	CHECK(getpeername(c1, (struct sockaddr *)&p, &l) == 0 && l == 16 && same4(&p, dest, port), "NAT64 socket: peer DEST");
	l = sizeof p;
	CHECK(getsockname(c1, (struct sockaddr *)&p, &l) == 0 && l == 16 && p.sin_family == AF_INET && p.sin_addr.s_addr == htonl(0xc0000002), "NAT64 socket: name 192.0.0.2");
	l = sizeof p;
	CHECK(getpeername(c2, (struct sockaddr *)&p, &l) == 0 && same4(&p, "127.0.0.1", port), "IPv4 socket: peer 127.0.0.1");
	l = sizeof d;
	CHECK(getsockopt(u1, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0 && d == AF_INET, "UDP socket: SO_DOMAIN %d", d);
	l = sizeof p;
	CHECK(getpeername(u1, (struct sockaddr *)&p, &l) == 0 && same4(&p, dest, 53), "UDP socket: peer DEST:53");
	l = sizeof d;
	CHECK(getsockopt(g, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0 && d == AF_INET6, "genuine IPv6 socket: SO_DOMAIN %d", d);
	l = sizeof p6;
	CHECK(getpeername(g, (struct sockaddr *)&p6, &l) == 0 && p6.sin6_family == AF_INET6, "genuine IPv6 socket: AF_INET6 peer");
	l = sizeof p;
	CHECK(getsockname(ls, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET && p.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "IPv4 listener: name 127.0.0.1");
	struct sockaddr_in to = p;
	int c = socket(AF_INET, SOCK_STREAM, 0), n;
	CHECK(connect(c, (struct sockaddr *)&to, sizeof to) == 0, "connect to the inherited listener");
	l = sizeof p;
	n = accept(ls, (struct sockaddr *)&p, &l);
	CHECK(n >= 0 && same4(&p, "127.0.0.1", ntohs(p.sin_port)), "inherited listener accepts with an IPv4 peer");
	close(n);
	close(c);
}

/* inheritable makes fd survive execve. */
static void inheritable(int fd)
{
	fcntl(fd, F_SETFD, 0);
}

/*
 * case_exec DEST: converted sockets (TCP through NAT64, TCP over IPv4, a
 * connected UDP socket, a listener on 127.0.0.1) and a genuine IPv6 one
 * are handed to a new program by execve; check_inherited runs there with
 * this program's counts carried along.
 */
static void case_exec(int argc, char **argv)
{
	uint16_t port = 0;
	int lfd = listener6(&port), g, u, ls, c1, c2;
	struct sockaddr_in a = sin4(argv[0], 53), any = sin4("127.0.0.1", 0);
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	char b[8][16];

	(void)argc;
	c1 = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(port);
	CHECK(connect(c1, (struct sockaddr *)&a, sizeof a) == 0, "NAT64 connect");
	c2 = socket(AF_INET, SOCK_STREAM, 0);
	a = sin4("127.0.0.1", port);
	CHECK(connect(c2, (struct sockaddr *)&a, sizeof a) == 0, "IPv4 connect");
	u = socket(AF_INET, SOCK_DGRAM, 0);
	a = sin4(argv[0], 53);
	CHECK(connect(u, (struct sockaddr *)&a, sizeof a) == 0, "UDP connect");
	g = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(g, (struct sockaddr *)&lo6, sizeof lo6) == 0, "IPv6 connect");
	ls = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(ls, (struct sockaddr *)&any, sizeof any) == 0 && listen(ls, 4) == 0, "listener 127.0.0.1");
	inheritable(lfd); /* its queued connections live on */
	inheritable(c1);
	inheritable(c2);
	inheritable(u);
	inheritable(g);
	inheritable(ls);
	snprintf(b[0], 16, "%d", c1);
	snprintf(b[1], 16, "%d", c2);
	snprintf(b[2], 16, "%d", u);
	snprintf(b[3], 16, "%d", g);
	snprintf(b[4], 16, "%d", ls);
	snprintf(b[5], 16, "%u", port);
	snprintf(b[6], 16, "%d", t_pass);
	snprintf(b[7], 16, "%d", t_fail);
	execl(self, "lifecycle", "inherited", b[6], b[7], b[0], b[1], b[2], b[3], b[4], argv[0], b[5], (char *)NULL);
	CHECK(0, "execl: %s", strerror(errno));
	close(lfd);
}

/*
 * case_inherited PASSED FAILED C1 C2 U1 G LS DEST PORT: the program case_exec
 * runs; the counts of the old program go on here, check_inherited checks.
 */
static void case_inherited(int argc, char **argv)
{
	t_pass = atoi(argv[0]);
	t_fail = atoi(argv[1]);
	check_inherited(argc - 2, argv + 2);
}

static const struct t_case cases[] = {
	{ "async", 1, case_async },
	{ "epoll", 1, case_epoll },
	{ "again", 1, case_again },
	{ "refused", 1, case_refused },
	{ "unreach", 1, case_unreach },
	{ "blocking", 1, case_blocking },
	{ "bind", 2, case_bind },
	{ "exec", 1, case_exec },
	{ "inherited", 9, case_inherited },
	{ 0 },
};

int main(int argc, char **argv)
{
	self = argv[0];
	return t_main(argc, argv, cases);
}
