/*
 * IPv4-mapped destinations on the program's own AF_INET6 sockets: a
 * dual-stack program (Java, for every IPv4 literal) that connects or sends
 * to ::ffff:a.b.c.d is treated as an IPv4 program, and its peers standing
 * for a.b.c.d are shown as ::ffff:a.b.c.d. Run under LD_PRELOAD=libtnat64.so
 * in a network namespace prepared by run.sh. Usage: mapped CASE [ARGS...];
 * prints "N passed, M failed". Listeners and peers are AF_INET6 sockets that
 * never use a ::ffff: destination (left alone), so they see what the kernel
 * really got; references for the kernel's own answers use raw syscalls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

/* glibc's fortified recvfrom (what _FORTIFY_SOURCE programs call). */
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *lenp);

/* sin6 builds an AF_INET6 address from text ("::ffff:a.b.c.d" or any IPv6) and a port. */
static struct sockaddr_in6 sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (inet_pton(AF_INET6, ip, &a.sin6_addr) != 1)
		CHECK(0, "bad address %s", ip);
	return a;
}

/* mapped6 is sin6("::ffff:" ip, port). */
static struct sockaddr_in6 mapped6(const char *ip, uint16_t port)
{
	char text[64];

	snprintf(text, sizeof text, "::ffff:%s", ip);
	return sin6(text, port);
}

/* same6 returns 1 when a is AF_INET6 text:port (port 0: any). */
static int same6(const struct sockaddr_in6 *a, const char *text, uint16_t port)
{
	struct sockaddr_in6 b = sin6(text, port);

	return a->sin6_family == AF_INET6 &&
	       (port == 0 || a->sin6_port == b.sin6_port) &&
	       memcmp(&a->sin6_addr, &b.sin6_addr, 16) == 0;
}

/* text6 writes a's address as text (static buffer). */
static const char *text6(const struct sockaddr_in6 *a)
{
	static char t[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, &a->sin6_addr, t, sizeof t) == NULL)
		strcpy(t, "?");
	return t;
}

/* sock6 makes the program's own AF_INET6 socket, IPV6_V6ONLY set to v6only (-1: the default). */
static int sock6(int type, int v6only)
{
	int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);

	if (fd >= 0 && v6only >= 0)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	return fd;
}

/* local_of accepts the next connection on lfd (3 s), its local address in *me; returns the fd or -1. */
static int local_of(int lfd, struct sockaddr_in6 *me, struct sockaddr_in6 *peer)
{
	socklen_t l = sizeof *me, pl = sizeof *peer;
	int fd;

	memset(me, 0, sizeof *me);
	if (!readable(lfd, 3000) ||
	    (fd = accept(lfd, (struct sockaddr *)peer, &pl)) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)me, &l);
	return fd;
}

/*
 * case_tcp DEST SEEN...: for each pair, the program's own AF_INET6 TCP
 * socket (IPV6_V6ONLY off as Java sets it, or the kernel's default off)
 * connects to [::ffff:DEST]:port; the listener must see SEEN as its local
 * address (NAT64 or IPv4), the program sees [::ffff:DEST]:port as peer
 * (28 bytes, truncated for a short buffer), its own AF_INET6 name and
 * SO_DOMAIN AF_INET6 unchanged; the bytes arrive; errno untouched.
 */
static void case_tcp(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port);

	for (int i = 0; i + 1 < argc; i += 2) {
		struct sockaddr_in6 dst = mapped6(argv[i], port), me, cpeer, p, s;
		socklen_t l = sizeof p;
		unsigned char raw[32];
		char buf[8];
		int fd = sock6(SOCK_STREAM, i % 4 == 0 ? 0 : -1), afd, v = 0;

		errno = 4242;
		CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0 &&
			      errno == 4242,
		      "connect ::ffff:%s: %s", argv[i], strerror(errno));
		afd = local_of(lfd, &me, &cpeer);
		CHECK(afd >= 0 && same6(&me, argv[i + 1], 0),
		      "listener saw %s, want %s", text6(&me), argv[i + 1]);
		memset(&p, 0, sizeof p);
		CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 &&
			      l == sizeof p && same6(&p, text6(&dst), port) &&
			      p.sin6_flowinfo == 0 && p.sin6_scope_id == 0,
		      "getpeername %s, want ::ffff:%s", text6(&p), argv[i]);
		memset(raw, 0xaa, sizeof raw);
		l = 10;
		CHECK(getpeername(fd, (struct sockaddr *)raw, &l) == 0 &&
			      l == sizeof p && memcmp(raw, &p, 10) == 0 &&
			      raw[10] == 0xaa,
		      "getpeername, short buffer: %u", l);
		l = sizeof s;
		CHECK(getsockname(fd, (struct sockaddr *)&s, &l) == 0 &&
			      l == sizeof s && s.sin6_family == AF_INET6 &&
			      s.sin6_port == cpeer.sin6_port &&
			      memcmp(&s.sin6_addr, &cpeer.sin6_addr, 16) == 0,
		      "getsockname is the kernel's: %s", text6(&s));
		l = sizeof v;
		CHECK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0 &&
			      v == AF_INET6, "SO_DOMAIN %d", v);
		CHECK(send(fd, "ping", 4, MSG_NOSIGNAL) == 4 && read(afd, buf, 4) == 4 &&
			      memcmp(buf, "ping", 4) == 0, "bytes arrive");
		CHECK(errno == 4242, "errno preserved: %d", errno);
		close(afd);
		close(fd);
	}
	close(lfd);
}

/*
 * case_kernel DEST: where the kernel refuses a ::ffff: destination (or
 * would take it as it is), the program gets exactly the kernel's answer:
 * IPV6_V6ONLY on (TCP connect, UDP connect and sendto), a socket bound to
 * an IPv6 address (the kernel turns IPV6_V6ONLY on), a length shorter
 * than 24; each compared with the same call made by raw syscall on a twin
 * socket. No connection reaches the listener.
 */
static void case_kernel(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port);
	struct sockaddr_in6 dst = mapped6(argc > 0 ? argv[0] : "198.51.100.7", port);
	struct sockaddr_in6 me = sin6("::1", 0);
	struct { const char *what; int type, v6only, bind, len; } c[] = {
		{ "TCP, IPV6_V6ONLY on", SOCK_STREAM, 1, 0, sizeof dst },
		{ "UDP, IPV6_V6ONLY on", SOCK_DGRAM, 1, 0, sizeof dst },
		{ "TCP bound to ::1", SOCK_STREAM, 0, 1, sizeof dst },
		{ "UDP bound to ::1", SOCK_DGRAM, 0, 1, sizeof dst },
		{ "TCP, 20-byte address", SOCK_STREAM, 0, 0, 20 },
		{ "UDP, 20-byte address", SOCK_DGRAM, 0, 0, 20 },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		int fd = sock6(c[i].type, c[i].v6only);
		int ref = (int)syscall(SYS_socket, AF_INET6, c[i].type, 0);
		int e, eref, rc, rref;

		setsockopt(ref, IPPROTO_IPV6, IPV6_V6ONLY, &c[i].v6only, sizeof(int));
		if (c[i].bind) {
			CHECK(bind(fd, (struct sockaddr *)&me, sizeof me) == 0 &&
				      bind(ref, (struct sockaddr *)&me, sizeof me) == 0,
			      "%s: bind: %s", c[i].what, strerror(errno));
		}
		rc = connect(fd, (struct sockaddr *)&dst, (socklen_t)c[i].len);
		e = errno;
		rref = (int)syscall(SYS_connect, ref, &dst, c[i].len);
		eref = errno;
		CHECK(rc == rref && (rc == 0 || e == eref),
		      "%s: connect %d %s, the kernel says %d %s", c[i].what, rc,
		      strerror(e), rref, strerror(eref));
		CHECK(rc < 0, "%s: connect refused", c[i].what);
		if (c[i].type == SOCK_DGRAM) {
			rc = (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&dst,
					 (socklen_t)c[i].len);
			e = errno;
			rref = (int)syscall(SYS_sendto, ref, "x", 1, 0, &dst, c[i].len);
			eref = errno;
			CHECK(rc == rref && (rc >= 0 || e == eref),
			      "%s: sendto %d %s, the kernel says %d %s", c[i].what,
			      rc, strerror(e), rref, strerror(eref));
		}
		close(fd);
		close(ref);
	}
	CHECK(!readable(lfd, 100), "no connection reached the listener");
	close(lfd);
}

/*
 * case_memo DEST SYNTH: the host has DEST (IPv4) but no route for the
 * prefix. A ::ffff:DEST connect falls back to IPv4 and its memory is the
 * converted sockets' one: an AF_INET connect goes to IPv4 at once even
 * once the prefix is routed; with DEST gone, a ::ffff: connect uses NAT64
 * (SYNTH) again. Datagrams fall back the same way.
 */
static void case_memo(int argc, char **argv)
{
	uint16_t port, uport;
	int lfd = listener6(&port), pfd = udp_peer6(&uport), fd, afd;
	struct sockaddr_in6 me, cpeer, p, from, to;
	struct sockaddr_in a4;
	char want4[64], cmd[128], buf[16];
	socklen_t l = sizeof p;

	(void)argc;
	snprintf(want4, sizeof want4, "::ffff:%s", argv[0]);
	struct sockaddr_in6 dst = mapped6(argv[0], port), udst = mapped6(argv[0], uport);

	/* NAT64 unreachable: IPv4, on the same socket. */
	fd = sock6(SOCK_STREAM, 0);
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0,
	      "fallback connect: %s", strerror(errno));
	afd = local_of(lfd, &me, &cpeer);
	CHECK(afd >= 0 && same6(&me, want4, 0), "fallback to IPv4: %s", text6(&me));
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 &&
		      same6(&p, want4, port), "peer %s", text6(&p));
	close(afd);
	close(fd);
	/* UDP: the send falls back too (and is remembered alike). */
	fd = sock6(SOCK_DGRAM, 0);
	CHECK(sendto(fd, "u", 1, 0, (struct sockaddr *)&udst, sizeof udst) == 1,
	      "udp fallback sendto: %s", strerror(errno));
	CHECK(peer_recv6(pfd, buf, sizeof buf, &from, &to) == 1 &&
		      same6(&to, want4, 0), "udp over IPv4: %s", text6(&to));
	close(fd);
	/* The memory is per destination, shared with converted sockets. */
	CHECK(system("ip -6 route add local 2001:db8::/32 dev lo") == 0, "add IPv6 route");
	a4 = sin4(argv[0], port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(fd, (struct sockaddr *)&a4, sizeof a4) == 0, "AF_INET connect");
	afd = local_of(lfd, &me, &cpeer);
	CHECK(afd >= 0 && same6(&me, want4, 0), "remembered IPv4 for AF_INET: %s", text6(&me));
	close(afd);
	close(fd);
	snprintf(cmd, sizeof cmd, "ip addr del %s/24 dev lo", argv[0]);
	CHECK(system(cmd) == 0, "remove IPv4");
	fd = sock6(SOCK_STREAM, 0);
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0,
	      "connect, IPv4 gone: %s", strerror(errno));
	afd = local_of(lfd, &me, &cpeer);
	CHECK(afd >= 0 && same6(&me, argv[1], 0), "IPv4 gone, NAT64: %s", text6(&me));
	l = sizeof p;
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 &&
		      same6(&p, want4, port), "peer still %s: %s", want4, text6(&p));
	close(afd);
	close(fd);
	close(pfd);
	close(lfd);
}

/*
 * case_noprefix DEST N: no prefix and no IPv4 route: N ::ffff:DEST
 * connects and a sendto fail at once with ENETUNREACH (run.sh counts the
 * one message).
 */
static void case_noprefix(int argc, char **argv)
{
	struct sockaddr_in6 dst = mapped6(argc > 0 ? argv[0] : "203.0.113.2", 80);
	int n = argc > 1 ? atoi(argv[1]) : 5, fd;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		fd = sock6(SOCK_STREAM, 0);
		CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 &&
			      errno == ENETUNREACH,
		      "connect %d: %s", i, strerror(errno));
		close(fd);
	}
	fd = sock6(SOCK_DGRAM, 0);
	CHECK(sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof dst) < 0 &&
		      errno == ENETUNREACH, "sendto: %s", strerror(errno));
	close(fd);
	CHECK(ms_since(&t0) < 2000, "fast: %ld ms", ms_since(&t0));
}

/*
 * udp_echo has udp_peer pfd receive one datagram (its destination must be
 * SEEN) and answer it with msg from that address. Returns 1 when both went.
 */
static int udp_echo(int pfd, const char *seen, const char *msg)
{
	struct sockaddr_in6 from, to;
	char buf[64];

	if (peer_recv6(pfd, buf, sizeof buf, &from, &to) < 0)
		return 0;
	CHECK(same6(&to, seen, 0), "peer saw %s, want %s", text6(&to), seen);
	CHECK(peer_send6(pfd, &from, text6(&to), msg),
	      "peer send from %s: %s", text6(&to), strerror(errno));
	return 1;
}

/*
 * case_udp DEST SEEN: the program's own AF_INET6 UDP socket sends to
 * [::ffff:DEST]:port by sendto, sendmsg and sendmmsg (the peer must see
 * SEEN as destination) and receives the answers from [::ffff:DEST]:port
 * by recvfrom (plain, fortified, short buffer), recvmsg and recvmmsg; a
 * connected socket sends and shows its peer as ::ffff:DEST. Native peers
 * stay as they are on the same socket (::1, and a NAT64-prefix address
 * whose embedded IPv4, 127.0.0.1, the decision never reaches through
 * NAT64); a socket that never used ::ffff: sees NAT64 senders unchanged.
 */
static void case_udp(int argc, char **argv)
{
	uint16_t port;
	int pfd = udp_peer6(&port), fd = sock6(SOCK_DGRAM, 0), ok = 0, c;
	struct sockaddr_in6 dst, from, want, p;
	unsigned char raw[32];
	socklen_t l;
	char buf[64];

	(void)argc;
	dst = mapped6(argv[0], port);
	want = dst;
	errno = 4242;
	CHECK(sendto(fd, "one", 3, 0, (struct sockaddr *)&dst, sizeof dst) == 3 &&
		      errno == 4242, "sendto: %s", strerror(errno));
	CHECK(udp_echo(pfd, argv[1], "r1"), "peer got sendto");
	l = sizeof from;
	memset(&from, 0, sizeof from);
	CHECK(readable(fd, 2000) &&
		      recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l) == 2 &&
		      l == sizeof from && same6(&from, text6(&want), port),
	      "recvfrom %s, want ::ffff:%s", text6(&from), argv[0]);
	/* Fortified, and a short buffer: truncated, the full length. */
	CHECK(sendto(fd, "two", 3, 0, (struct sockaddr *)&dst, sizeof dst) == 3, "sendto 2");
	CHECK(udp_echo(pfd, argv[1], "r2"), "peer got 2");
	memset(raw, 0xaa, sizeof raw);
	l = 12;
	CHECK(readable(fd, 2000) &&
		      __recvfrom_chk(fd, buf, sizeof buf, sizeof buf, 0,
				     (struct sockaddr *)raw, &l) == 2 &&
		      l == sizeof from && memcmp(raw, &from, 12) == 0 && raw[12] == 0xaa,
	      "fortified recvfrom, short buffer: %u", l);
	/* sendmsg with a name; recvmsg's msg_name. */
	{
		struct iovec iov = { "three", 5 };
		struct msghdr m = { .msg_name = &dst, .msg_namelen = sizeof dst,
				    .msg_iov = &iov, .msg_iovlen = 1 };
		struct iovec riov = { buf, sizeof buf };
		struct msghdr r = { .msg_name = &from, .msg_namelen = sizeof from,
				    .msg_iov = &riov, .msg_iovlen = 1 };

		CHECK(sendmsg(fd, &m, 0) == 5, "sendmsg: %s", strerror(errno));
		CHECK(udp_echo(pfd, argv[1], "r3"), "peer got sendmsg");
		memset(&from, 0, sizeof from);
		CHECK(readable(fd, 2000) && recvmsg(fd, &r, 0) == 2 &&
			      r.msg_namelen == sizeof from &&
			      same6(&from, text6(&want), port),
		      "recvmsg %s", text6(&from));
	}
	/* sendmmsg / recvmmsg. */
	{
		enum { N = 5 };
		struct mmsghdr v[N];
		struct iovec iov[N];
		struct sockaddr_in6 names[N];
		char b[N][16];

		memset(v, 0, sizeof v);
		for (int i = 0; i < N; i++) {
			iov[i] = (struct iovec){ "m", 1 };
			v[i].msg_hdr = (struct msghdr){ .msg_name = &dst, .msg_namelen = sizeof dst,
							.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		CHECK(sendmmsg(fd, v, N, 0) == N, "sendmmsg: %s", strerror(errno));
		for (int i = 0; i < N; i++)
			ok += udp_echo(pfd, argv[1], "mm");
		CHECK(ok == N, "peer got %d of %d", ok, N);
		memset(v, 0, sizeof v);
		memset(names, 0, sizeof names);
		for (int i = 0; i < N; i++) {
			iov[i] = (struct iovec){ b[i], sizeof b[i] };
			v[i].msg_hdr = (struct msghdr){ .msg_name = &names[i], .msg_namelen = sizeof names[i],
							.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		for (c = 0; c < N && readable(fd, 2000);) {
			int rc = recvmmsg(fd, v + c, N - c, MSG_DONTWAIT, NULL);

			if (rc <= 0)
				break;
			c += rc;
		}
		ok = 0;
		for (int i = 0; i < c; i++)
			ok += v[i].msg_hdr.msg_namelen == sizeof names[i] &&
			      same6(&names[i], text6(&want), port);
		CHECK(c == N && ok == N, "recvmmsg: %d received, %d named ::ffff:%s", c, ok, argv[0]);
	}
	/* Native peers on the same socket stay native. */
	{
		struct sockaddr_in6 lo = sin6("::1", port);

		CHECK(sendto(fd, "n", 1, 0, (struct sockaddr *)&lo, sizeof lo) == 1, "sendto ::1");
		CHECK(udp_echo(pfd, "::1", "n1"), "peer got ::1's");
		l = sizeof from;
		CHECK(readable(fd, 2000) &&
			      recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l) == 2 &&
			      same6(&from, "::1", port), "::1 stays: %s", text6(&from));
		/* From inside the prefix, an address the decision never reaches through NAT64. */
		l = sizeof p;
		CHECK(getsockname(fd, (struct sockaddr *)&p, &l) == 0, "own name");
		p.sin6_addr = sin6("::1", 0).sin6_addr;
		CHECK(peer_send6(pfd, &p, "64:ff9b:1::7f00:1", "lb"),
		      "peer send from %s: %s", "64:ff9b:1::7f00:1", strerror(errno));
		l = sizeof from;
		CHECK(readable(fd, 2000) &&
			      recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l) == 2 &&
			      same6(&from, "64:ff9b:1::7f00:1", port),
		      "64:ff9b:1::7f00:1 stays: %s", text6(&from));
	}
	/* Connected: send, recv, getpeername. */
	{
		int cfd = sock6(SOCK_DGRAM, 0);

		CHECK(connect(cfd, (struct sockaddr *)&dst, sizeof dst) == 0, "udp connect: %s", strerror(errno));
		CHECK(send(cfd, "c", 1, 0) == 1, "send");
		CHECK(udp_echo(pfd, argv[1], "c1"), "peer got the connected send");
		CHECK(readable(cfd, 2000) && recv(cfd, buf, sizeof buf, 0) == 2, "recv on the connected socket");
		l = sizeof p;
		CHECK(getpeername(cfd, (struct sockaddr *)&p, &l) == 0 && l == sizeof p &&
			      same6(&p, text6(&want), port), "connected peer %s", text6(&p));
		close(cfd);
	}
	/* A socket that never used ::ffff: sees the NAT64 sender as it is. */
	{
		int nfd = sock6(SOCK_DGRAM, 0);
		struct sockaddr_in6 any = { .sin6_family = AF_INET6 };

		CHECK(bind(nfd, (struct sockaddr *)&any, sizeof any) == 0, "bind [::]:0");
		l = sizeof p;
		getsockname(nfd, (struct sockaddr *)&p, &l);
		p.sin6_addr = sin6("::1", 0).sin6_addr;
		CHECK(peer_send6(pfd, &p, argv[1], "nat64"),
		      "peer send from %s: %s", argv[1], strerror(errno));
		l = sizeof from;
		CHECK(readable(nfd, 2000) &&
			      recvfrom(nfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l) == 5 &&
			      same6(&from, argv[1], port),
		      "an unmapped socket sees %s, want %s", text6(&from), argv[1]);
		close(nfd);
	}
	close(fd);
	close(pfd);
}

/*
 * case_async DEST: the prefix leads to a neighbour that never answers
 * (EHOSTUNREACH after EINPROGRESS). A non-blocking ::ffff:DEST connect
 * (Java connecting with a timeout) tries NAT64 first, gets EINPROGRESS,
 * poll, SO_ERROR 0 and is connected over IPv4; its peer is ::ffff:DEST.
 */
static void case_async(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd, afd, e;
	struct sockaddr_in6 dst, me, cpeer, p;
	struct pollfd pf;
	char want4[64];
	socklen_t l = sizeof p;

	(void)argc;
	snprintf(want4, sizeof want4, "::ffff:%s", argv[0]);
	dst = mapped6(argv[0], port);
	fd = sock6(SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno == EINPROGRESS,
	      "NAT64 connect in progress: %s", strerror(errno));
	pf = (struct pollfd){ .fd = fd, .events = POLLOUT };
	CHECK(poll(&pf, 1, 5000) == 1, "poll reports the failure");
	errno = 4242;
	e = so_error(fd);
	CHECK(e == 0 && errno == 4242, "SO_ERROR after the fallback: %s", strerror(e));
	pf = (struct pollfd){ .fd = fd, .events = POLLOUT };
	CHECK(poll(&pf, 1, 3000) == 1 && pf.revents == POLLOUT && so_error(fd) == 0,
	      "connected over IPv4");
	afd = local_of(lfd, &me, &cpeer);
	CHECK(afd >= 0 && same6(&me, want4, 0), "the kernel saw IPv4: %s", text6(&me));
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 && same6(&p, want4, port),
	      "peer %s", text6(&p));
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "still non-blocking");
	/* NAT64 came first: the kernel looked for the prefix's gateway. */
	CHECK(system("ip -6 neigh show dev d0 | grep -q '^2001:db8:1::99 '") == 0,
	      "NAT64 tried first (a neighbour entry for the gateway)");
	close(afd);
	close(fd);
	close(lfd);
}

/*
 * case_standin: a converted UDP socket meets the IPv6 peer 2001:db8::5 and
 * is shown a stand-in S; the program's AF_INET6 socket connecting to
 * ::ffff:S reaches 2001:db8::5 and shows ::ffff:S as its peer.
 */
static void case_standin(int argc, char **argv)
{
	uint16_t port, uport;
	int lfd = listener6(&port), pfd = udp_peer6(&uport), u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in6 me, cpeer, p, dst;
	struct sockaddr_in a = sin4("0.0.0.0", 0), s;
	socklen_t l = sizeof a;
	char buf[16], text[INET_ADDRSTRLEN];
	int fd, afd;

	(void)argc;
	(void)argv;
	CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0 &&
		      getsockname(u, (struct sockaddr *)&a, &l) == 0, "bind 0.0.0.0:0");
	dst = sin6("::1", ntohs(a.sin_port));
	CHECK(peer_send6(pfd, &dst, "2001:db8::5", "hello"),
	      "peer send from %s: %s", "2001:db8::5", strerror(errno));
	l = sizeof s;
	CHECK(readable(u, 2000) &&
		      recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&s, &l) == 5 &&
		      s.sin_family == AF_INET, "converted socket got a stand-in");
	inet_ntop(AF_INET, &s.sin_addr, text, sizeof text);
	dst = mapped6(text, port);
	fd = sock6(SOCK_STREAM, 0);
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0,
	      "connect ::ffff:%s: %s", text, strerror(errno));
	afd = local_of(lfd, &me, &cpeer);
	CHECK(afd >= 0 && same6(&me, "2001:db8::5", 0), "reached %s", text6(&me));
	l = sizeof p;
	CHECK(getpeername(fd, (struct sockaddr *)&p, &l) == 0 &&
		      same6(&p, text6(&dst), port), "peer %s, want ::ffff:%s", text6(&p), text);
	close(afd);
	close(fd);
	close(u);
	close(pfd);
	close(lfd);
}

static const struct t_case cases[] = {
	{ "tcp", 2, case_tcp },
	{ "kernel", 0, case_kernel },
	{ "memo", 2, case_memo },
	{ "noprefix", 0, case_noprefix },
	{ "udp", 2, case_udp },
	{ "async", 1, case_async },
	{ "standin", 0, case_standin },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
