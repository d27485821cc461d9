/*
 * Hook tests: run under LD_PRELOAD=libtnat64.so inside a private network
 * namespace prepared by run.sh. Usage: hooks CASE [ARGS...]; prints
 * "N passed, M failed". Listeners are plain AF_INET6 sockets, which the
 * library leaves alone, so they see what the kernel really got.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

/* accepted_on returns the local address text of the next connection. */
static int accept_local(int lfd, char *text, size_t n, struct sockaddr_in6 *peer)
{
	struct sockaddr_in6 me;
	socklen_t l = sizeof me, pl = sizeof *peer;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, 3000) != 1)
		return -1;
	fd = accept(lfd, (struct sockaddr *)peer, &pl);
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&me, &l) < 0)
		return -1;
	inet_ntop(AF_INET6, &me.sin6_addr, text, (socklen_t)n);
	return fd;
}

/*
 * case_nat64: for each DEST EXPECTED pair, a converted socket connects to
 * DEST:port; the listener must see EXPECTED as its local address; the
 * program sees DEST as peer and 192.0.0.2 with the real port as itself.
 */
static void case_nat64(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port);

	for (int i = 0; i + 1 < argc; i += 2) {
		struct sockaddr_in peer, me;
		struct sockaddr_in6 cpeer;
		socklen_t l = sizeof peer;
		char text[INET6_ADDRSTRLEN] = "";
		uint8_t want[16], got[16];
		int fd, afd;

		errno = 4242;
		fd = connect4(argv[i], port);
		CHECK(fd >= 0 && errno == 4242, "connect %s: %s", argv[i],
		      strerror(errno));
		if (fd < 0)
			continue;
		afd = accept_local(lfd, text, sizeof text, &cpeer);
		inet_pton(AF_INET6, argv[i + 1], want);
		inet_pton(AF_INET6, text, got);
		CHECK(afd >= 0 && memcmp(want, got, 16) == 0,
		      "listener saw %s, want %s", text, argv[i + 1]);
		CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) == 0 &&
			      l == sizeof peer && same4(&peer, argv[i], port),
		      "getpeername %s", strerror(errno));
		/* Our own address: 192.0.0.2 through NAT64, else the IPv4 one. */
		l = sizeof me;
		CHECK(getsockname(fd, (struct sockaddr *)&me, &l) == 0 &&
			      l == sizeof me &&
			      same4(&me,
				    strncmp(argv[i + 1], "::ffff:", 7) ?
					    "192.0.0.2" :
					    argv[i + 1] + 7,
				    ntohs(cpeer.sin6_port)),
		      "getsockname");
		CHECK(write(fd, "ping", 4) == 4, "write");
		CHECK(read(afd, text, 4) == 4 && memcmp(text, "ping", 4) == 0,
		      "bytes arrive");
		CHECK(errno == 4242, "errno preserved: %d", errno);
		close(afd);
		close(fd);
	}
	close(lfd);
}

/* case_flags: every SOCK_NONBLOCK/SOCK_CLOEXEC combination, both protocols. */
static void case_flags(int argc, char **argv)
{
	static const int combos[] = { 0, SOCK_NONBLOCK, SOCK_CLOEXEC,
				      SOCK_NONBLOCK | SOCK_CLOEXEC };

	(void)argc;
	(void)argv;
	for (int i = 0; i < 4; i++) {
		for (int proto = 0; proto <= IPPROTO_TCP; proto += IPPROTO_TCP) {
			int fd = socket(AF_INET, SOCK_STREAM | combos[i], proto);
			int dom = 0, type = 0, v6only = -1;
			socklen_t l = sizeof dom;

			CHECK(fd >= 0, "socket %#x %d", combos[i], proto);
			CHECK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 &&
				      dom == AF_INET,
			      "SO_DOMAIN %d", dom);
			CHECK(real_domain(fd) == AF_INET6, "converted");
			l = sizeof type;
			getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l);
			CHECK(type == SOCK_STREAM, "SO_TYPE %d", type);
			l = sizeof v6only;
			getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l);
			CHECK(v6only == 0, "V6ONLY %d", v6only);
			CHECK(!!(fcntl(fd, F_GETFL) & O_NONBLOCK) ==
				      !!(combos[i] & SOCK_NONBLOCK),
			      "O_NONBLOCK");
			CHECK(!!(fcntl(fd, F_GETFD) & FD_CLOEXEC) ==
				      !!(combos[i] & SOCK_CLOEXEC),
			      "FD_CLOEXEC");
			close(fd);
		}
	}
	for (int i = 0; i < 4; i++) {
		for (int proto = 0; proto <= IPPROTO_UDP; proto += IPPROTO_UDP) {
			int u = socket(AF_INET, SOCK_DGRAM | combos[i], proto);
			int dom = 0, type = 0;
			socklen_t l = sizeof dom;

			CHECK(u >= 0 && real_domain(u) == AF_INET6,
			      "UDP %#x %d converted", combos[i], proto);
			getsockopt(u, SOL_SOCKET, SO_DOMAIN, &dom, &l);
			CHECK(dom == AF_INET, "UDP SO_DOMAIN %d", dom);
			l = sizeof type;
			getsockopt(u, SOL_SOCKET, SO_TYPE, &type, &l);
			CHECK(type == SOCK_DGRAM, "UDP SO_TYPE %d", type);
			CHECK(!!(fcntl(u, F_GETFL) & O_NONBLOCK) ==
				      !!(combos[i] & SOCK_NONBLOCK),
			      "UDP O_NONBLOCK");
			close(u);
		}
	}
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	CHECK(raw < 0 || real_domain(raw) == AF_INET, "raw left alone");
	if (raw >= 0)
		close(raw);
	int r = socket(AF_INET, SOCK_STREAM, IPPROTO_UDP);
	CHECK(r < 0, "bad protocol still fails");
}

/*
 * case_names: getpeername/getsockname with short buffers and bad
 * arguments, errno kept on success, dup/dup2/dup3/fcntl/close/close_range
 * keep the table right.
 */
static void case_names(int argc, char **argv)
{
	static const socklen_t lens[] = { 0, 4, 8, 15, 16, 32 };
	uint16_t port;
	int lfd = listener6(&port), fd, d, e;
	struct sockaddr_in want = sin4(argc > 0 ? argv[0] : "198.51.100.7", 0);
	struct sockaddr_in6 a6;
	socklen_t l;

	want.sin_port = htons(port);
	fd = connect4(argc > 0 ? argv[0] : "198.51.100.7", port);
	CHECK(fd >= 0, "connect: %s", strerror(errno));
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		unsigned char buf[32];

		memset(buf, 0xaa, sizeof buf);
		l = lens[i];
		CHECK(getpeername(fd, (struct sockaddr *)buf, &l) == 0 && l == 16,
		      "len %u -> %u", lens[i], l);
		CHECK(memcmp(buf, &want, lens[i] < 16 ? lens[i] : 16) == 0,
		      "len %u content", lens[i]);
		CHECK(lens[i] >= 16 || buf[lens[i]] == 0xaa, "len %u overrun",
		      lens[i]);
		CHECK(lens[i] <= 16 || buf[16] == 0xaa, "len %u past 16", lens[i]);
	}
	errno = 0;
	CHECK(getpeername(fd, (struct sockaddr *)&a6, NULL) < 0 && errno == EFAULT,
	      "NULL len: %s", strerror(errno));
	l = 16;
	CHECK(getsockname(fd, NULL, &l) < 0 && errno == EFAULT, "NULL addr");
	l = (socklen_t)-1;
	CHECK(getsockname(fd, (struct sockaddr *)&a6, &l) < 0 && errno == EINVAL,
	      "negative len: %s", strerror(errno));
	l = sizeof a6;
	CHECK(getpeername(lfd + 1000, (struct sockaddr *)&a6, &l) < 0 &&
		      errno == EBADF,
	      "EBADF");

	/* Duplicates are converted like the original. */
	struct sockaddr_in p;
	d = dup(fd);
	l = sizeof p;
	CHECK(getpeername(d, (struct sockaddr *)&p, &l) == 0 && same4(&p, argc > 0 ? argv[0] : "198.51.100.7", port), "dup");
	CHECK(dup2(fd, 200) == 200, "dup2");
	l = sizeof p;
	CHECK(getpeername(200, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "dup2 converted");
	CHECK(dup3(fd, 201, O_CLOEXEC) == 201, "dup3");
	l = sizeof p;
	CHECK(getsockname(201, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "dup3 converted");
	e = fcntl(fd, F_DUPFD_CLOEXEC, 300);
	l = sizeof p;
	CHECK(e >= 300 && getsockname(e, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "F_DUPFD_CLOEXEC");
	close(fd);
	l = sizeof p;
	CHECK(getpeername(d, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "dup survives close");

	/* A reused fd starts clean: put plain AF_INET6 sockets there behind our back. */
	int v6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(close(200) == 0 && syscall(SYS_dup2, v6, 200) == 200, "reuse 200");
	l = sizeof a6;
	CHECK(getsockname(200, (struct sockaddr *)&a6, &l) == 0 && a6.sin6_family == AF_INET6 && l == sizeof a6, "closed fd forgotten");
	CHECK(close_range(201, 201, 0) == 0 && syscall(SYS_dup2, v6, 201) == 201, "close_range");
	l = sizeof a6;
	CHECK(getsockname(201, (struct sockaddr *)&a6, &l) == 0 && a6.sin6_family == AF_INET6, "close_range forgets");
	CHECK(dup2(v6, e) == e, "dup2 over converted");
	l = sizeof a6;
	CHECK(getsockname(e, (struct sockaddr *)&a6, &l) == 0 && a6.sin6_family == AF_INET6, "dup2 target takes new state");
	close(d);
	close(e);
	close(200);
	close(201);
	close(v6);
	close(lfd);
}

/* case_errors: addresses an AF_INET socket refuses are refused the same way. */
static void case_errors(int argc, char **argv)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	struct sockaddr_in a = sin4("127.0.0.1", 9);

	(void)argc;
	(void)argv;
	a6.sin6_addr = in6addr_loopback;
	CHECK(connect(fd, (struct sockaddr *)&a6, sizeof a6) < 0 && errno == EAFNOSUPPORT, "AF_INET6 dest: %s", strerror(errno));
	CHECK(connect(fd, (struct sockaddr *)&a, 8) < 0 && errno == EINVAL, "short addrlen: %s", strerror(errno));
	CHECK(bind(fd, (struct sockaddr *)&a, 8) < 0 && errno == EINVAL, "bind short");
	CHECK(bind(fd, (struct sockaddr *)&a6, sizeof a6) < 0 && errno == EAFNOSUPPORT, "bind AF_INET6");
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == ECONNREFUSED, "refused: %s", strerror(errno));
	close(fd);
}

/*
 * case_nonblock: EINPROGRESS passes through, an epoll registration made
 * before connect fires, SO_ERROR is 0, O_NONBLOCK is untouched.
 */
static void case_nonblock(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int ep = epoll_create1(EPOLL_CLOEXEC), err = -1, rc;
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
	struct sockaddr_in a = sin4(argc > 0 ? argv[0] : "198.51.100.7", port);
	socklen_t l = sizeof err;

	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
	rc = connect(fd, (struct sockaddr *)&a, sizeof a);
	CHECK(rc < 0 && errno == EINPROGRESS, "EINPROGRESS: %d %s", rc, strerror(errno));
	CHECK(epoll_wait(ep, &ev, 1, 3000) == 1 && (ev.events & EPOLLOUT), "epoll fired");
	CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0, "SO_ERROR %d", err);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "still non-blocking");
	struct sockaddr_in p;
	l = sizeof p;
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 && same4(&p, argc > 0 ? argv[0] : "198.51.100.7", port), "peer");
	close(ep);
	close(fd);
	close(lfd);
}

/*
 * case_server: a TCP server on 127.0.0.1 and on 0.0.0.0 behaves as without
 * tnat64 for IPv4 clients: IPv4 names everywhere; 0.0.0.0:P also accepts
 * IPv6 clients, shown as IPv4 stand-ins.
 */
static void case_server(int argc, char **argv)
{
	struct sockaddr_in a = sin4("127.0.0.1", 0), p;
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), c, n;

	(void)argc;
	(void)argv;
	errno = 4242;
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 8) == 0, "bind 127.0.0.1:0");
	CHECK(getsockname(s, (struct sockaddr *)&a, &l) == 0 && l == 16 && a.sin_family == AF_INET && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && a.sin_port != 0, "listener name");
	c = connect4("127.0.0.1", ntohs(a.sin_port));
	CHECK(c >= 0, "client connects");
	l = sizeof p;
	n = accept4(s, (struct sockaddr *)&p, &l, SOCK_CLOEXEC);
	CHECK(n >= 0 && l == 16 && p.sin_family == AF_INET && p.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "accept4 peer 127.0.0.1");
	CHECK(fcntl(n, F_GETFD) & FD_CLOEXEC, "accept4 flags");
	l = sizeof p;
	CHECK(getsockname(n, (struct sockaddr *)&p, &l) == 0 && same4(&p, "127.0.0.1", ntohs(a.sin_port)), "accepted name");
	l = sizeof p;
	CHECK(getpeername(c, (struct sockaddr *)&p, &l) == 0 && same4(&p, "127.0.0.1", ntohs(a.sin_port)), "client peer");
	int d = 0;
	l = sizeof d;
	CHECK(getsockopt(n, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0 && d == AF_INET, "accepted SO_DOMAIN");
	CHECK(errno == 4242, "errno kept by successful hooks: %d", errno);
	close(n);
	close(c);
	close(s);

	/* 0.0.0.0:P: IPv4 clients yes, IPv6 clients no. */
	uint16_t port = 45678;
	a = sin4("0.0.0.0", port);
	s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 8) == 0, "bind 0.0.0.0:%u: %s", port, strerror(errno));
	l = sizeof a;
	CHECK(getsockname(s, (struct sockaddr *)&a, &l) == 0 && same4(&a, "0.0.0.0", port), "0.0.0.0 name");
	c = connect4("127.0.0.1", port);
	l = sizeof p;
	n = accept(s, (struct sockaddr *)&p, &l);
	CHECK(c >= 0 && n >= 0 && p.sin_family == AF_INET && p.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "0.0.0.0 accepts IPv4");
	close(n);
	close(c);
	/* An IPv6 client is accepted too, shown as a stand-in. */
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c6, (struct sockaddr *)&a6, sizeof a6) == 0, "IPv6 client accepted: %s", strerror(errno));
	l = sizeof p;
	n = accept(s, (struct sockaddr *)&p, &l);
	CHECK(n >= 0 && l == 16 && p.sin_family == AF_INET && (ntohl(p.sin_addr.s_addr) >> 16) == 0xc613, "::1 shown as a 198.19/16 stand-in: %s", inet_ntoa(p.sin_addr));
	close(n);
	close(c6);
	close(s);

	/* 0.0.0.0:0 stays open to NAT64 and reads back as 0.0.0.0. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = sin4("0.0.0.0", 0);
	l = sizeof a;
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &l) == 0 && a.sin_family == AF_INET && a.sin_addr.s_addr == 0 && a.sin_port != 0, "bind 0.0.0.0:0");
	close(s);
}

/* case_unreachable: COUNT connects fail fast with ENETUNREACH. */
static void case_unreachable(int argc, char **argv)
{
	struct timespec t0, t1;
	int n = argc > 1 ? atoi(argv[1]) : 10;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		int fd = connect4(argv[0], 80);

		CHECK(fd < 0 && errno == ENETUNREACH, "connect %d: %s", i, strerror(errno));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2, "fast: %ld s", (long)(t1.tv_sec - t0.tv_sec));
}

/* Threads: mixed NAT64 and loopback connects against one accepting thread. */
static atomic_int accepted, thread_fail;
static int tlfd;
static uint16_t tport;
static const char *tdest;

static void *acceptor(void *arg)
{
	int want = *(int *)arg;

	while (atomic_load(&accepted) < want) {
		struct pollfd p = { .fd = tlfd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1)
			break;
		int fd = accept(tlfd, NULL, NULL);
		if (fd >= 0) {
			close(fd);
			atomic_fetch_add(&accepted, 1);
		}
	}
	return NULL;
}

static void *connector(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		const char *ip = i % 2 ? tdest : "127.0.0.1";
		struct sockaddr_in p;
		socklen_t l = sizeof p;
		int fd = connect4(ip, tport);

		if (fd < 0 || getpeername(fd, (struct sockaddr *)&p, &l) < 0 || !same4(&p, ip, tport)) {
			atomic_fetch_add(&thread_fail, 1);
			fprintf(stderr, "thread: %s: %s\n", ip, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void case_threads(int argc, char **argv)
{
	pthread_t acc, th[8];
	int want = 8 * 200;

	tdest = argc > 0 ? argv[0] : "198.51.100.7";
	tlfd = listener6(&tport);
	pthread_create(&acc, NULL, acceptor, &want);
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, connector, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	pthread_join(acc, NULL);
	CHECK(atomic_load(&thread_fail) == 0, "%d failures", atomic_load(&thread_fail));
	CHECK(atomic_load(&accepted) == want, "%d accepted", atomic_load(&accepted));
	close(tlfd);
}

/* case_fork: a child connects through NAT64 too, and so does the parent after. */
static void case_fork(int argc, char **argv)
{
	const char *ip = argc > 0 ? argv[0] : "198.51.100.7";
	uint16_t port;
	int lfd = listener6(&port), status = -1;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		struct sockaddr_in p;
		socklen_t l = sizeof p;
		int fd = connect4(ip, port);

		_exit(fd >= 0 && getpeername(fd, (struct sockaddr *)&p, &l) == 0 && same4(&p, ip, port) ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child connected");
	int fd = connect4(ip, port);
	CHECK(fd >= 0, "parent connects after fork");
	close(fd);
	close(lfd);
}

/*
 * case_fastopen: sendto(MSG_FASTOPEN) with an IPv4 destination on a
 * converted socket reaches the synthesized address with its data.
 */
static void case_fastopen(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd = socket(AF_INET, SOCK_STREAM, 0), afd;
	struct sockaddr_in a = sin4(argc > 0 ? argv[0] : "198.51.100.7", port);
	struct sockaddr_in6 peer;
	char text[INET6_ADDRSTRLEN] = "", buf[4] = "";
	uint8_t want[16], got[16];

	CHECK(sendto(fd, "tfo", 3, MSG_FASTOPEN, (struct sockaddr *)&a, sizeof a) == 3,
	      "sendto: %s", strerror(errno));
	afd = accept_local(lfd, text, sizeof text, &peer);
	inet_pton(AF_INET6, argc > 1 ? argv[1] : "", want);
	inet_pton(AF_INET6, text, got);
	CHECK(afd >= 0 && memcmp(want, got, 16) == 0, "listener saw %s", text);
	CHECK(read(afd, buf, 3) == 3 && memcmp(buf, "tfo", 3) == 0, "data");
	close(afd);
	close(fd);
	close(lfd);
}

/*
 * case_bound: a socket bound to a specific IPv4 address only uses IPv4 (no
 * IPv4 route here, so ENETUNREACH although NAT64 would work); one bound to
 * 0.0.0.0:0 still goes through NAT64.
 */
static void case_bound(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd = socket(AF_INET, SOCK_STREAM, 0), afd;
	struct sockaddr_in lo = sin4("127.0.0.1", 0), any = sin4("0.0.0.0", 0);
	struct sockaddr_in a = sin4(argc > 0 ? argv[0] : "198.51.100.7", port);
	struct sockaddr_in6 peer;
	char text[INET6_ADDRSTRLEN] = "";

	CHECK(bind(fd, (struct sockaddr *)&lo, sizeof lo) == 0, "bind 127.0.0.1");
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == ENETUNREACH,
	      "IPv4 only: %s", strerror(errno));
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&any, sizeof any) == 0, "bind 0.0.0.0:0");
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "NAT64 still: %s", strerror(errno));
	afd = accept_local(lfd, text, sizeof text, &peer);
	CHECK(afd >= 0 && strncmp(text, "::ffff:", 7) != 0, "listener saw %s", text);
	close(afd);
	close(fd);
	close(lfd);
}

/*
 * via returns the address the listener saw for a new connection to ip:port
 * (into text), or "" when connect failed.
 */
static const char *via(int lfd, const char *ip, uint16_t port, char *text,
		       size_t n)
{
	struct sockaddr_in6 peer;
	int fd = connect4(ip, port), afd;

	text[0] = '\0';
	if (fd < 0)
		return text;
	afd = accept_local(lfd, text, n, &peer);
	close(afd);
	close(fd);
	return text;
}

/*
 * case_memo IP SYNTH: the method that worked is remembered per destination
 * and tried first; when it stops working, the other one is used (both
 * directions). The network is changed under the program with ip(8).
 */
static void case_memo(int argc, char **argv)
{
	char text[INET6_ADDRSTRLEN], mapped[INET6_ADDRSTRLEN + 8], cmd[256];
	uint16_t port;
	int lfd = listener6(&port);

	(void)argc;
	snprintf(mapped, sizeof mapped, "::ffff:%s", argv[0]);
	/* NAT64 unreachable: IPv4 is used and remembered. */
	CHECK(strcmp(via(lfd, argv[0], port, text, sizeof text), mapped) == 0, "fallback to IPv4: %s", text);
	CHECK(system("ip -6 route add local 2001:db8::/32 dev lo") == 0, "add IPv6 route");
	CHECK(strcmp(via(lfd, argv[0], port, text, sizeof text), mapped) == 0, "remembered IPv4: %s", text);
	snprintf(cmd, sizeof cmd, "ip addr del %s/24 dev lo", argv[0]);
	CHECK(system(cmd) == 0, "remove IPv4");
	CHECK(strcmp(via(lfd, argv[0], port, text, sizeof text), argv[1]) == 0, "IPv4 gone, NAT64 used: %s", text);
	snprintf(cmd, sizeof cmd, "ip addr add %s/24 dev lo", argv[0]);
	CHECK(system(cmd) == 0, "IPv4 back");
	CHECK(strcmp(via(lfd, argv[0], port, text, sizeof text), argv[1]) == 0, "NAT64 again: %s", text);
	close(lfd);
}

/* case_ctor: what ctor.so's constructor saw (it ran before anything of ours). */
static void case_ctor(int argc, char **argv)
{
	int *r = dlsym(RTLD_DEFAULT, "t64t_ctor_results");

	(void)argc;
	(void)argv;
	CHECK(r != NULL, "ctor.so loaded");
	if (r == NULL)
		return;
	CHECK(r[0] == AF_INET6, "socket converted in a constructor: %d", r[0]);
	CHECK(r[1] == 0, "bind+listen+connect: %s", strerror(r[1]));
	CHECK(r[2] == AF_INET && r[3] == 16, "getsockname family %d len %d", r[2], r[3]);
	CHECK(r[4] == AF_INET, "SO_DOMAIN %d", r[4]);
}

static const struct t_case cases[] = {
	{ "nat64", 2, case_nat64 },
	{ "flags", 0, case_flags },
	{ "names", 0, case_names },
	{ "errors", 0, case_errors },
	{ "nonblock", 0, case_nonblock },
	{ "server", 0, case_server },
	{ "unreachable", 1, case_unreachable },
	{ "threads", 0, case_threads },
	{ "fork", 0, case_fork },
	{ "fastopen", 0, case_fastopen },
	{ "bound", 0, case_bound },
	{ "memo", 2, case_memo },
	{ "ctor", 0, case_ctor },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
