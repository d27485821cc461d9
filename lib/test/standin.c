/*
 * Stand-in pool and IPv4 options (issue 4): `standin unit` exercises the
 * pool itself (linked with the core objects); the other cases run under
 * LD_PRELOAD=libtnat64.so in a network namespace prepared by run.sh
 * (64:ff9b:1::/96 and 2001:db8::/32 local on lo, TNAT64_PREFIX=64:ff9b:1::/96).
 * IPv6 peers are plain AF_INET6 sockets, which the library leaves alone.
 * Prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/pool.h"
#include "check.h"
#include "net.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/* addr6 fills a[16] with the i-th test address 2001:db8:ffff::i. */
static void addr6(uint32_t i, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = a[5] = 0xff;
	a[12] = (uint8_t)(i >> 24);
	a[13] = (uint8_t)(i >> 16);
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

/*
 * case_unit: stable, reversible, distinct; shared with a forked child;
 * full after 65534 peers (198.19.0.0 then, live mappings kept).
 */
static void case_unit(void)
{
	static uint8_t seen[T64_POOL_SLOTS];
	uint8_t a[16], b[16];
	uint32_t s, first, bad = 0, dup = 0, wrong = 0, n = 0;
	int st;
	pid_t pid;

	addr6(1, a);
	first = t64_pool_get(a);
	CHECK(t64_pool_is(first) && first != T64_POOL_DEFAULT &&
		      first != (T64_POOL_DEFAULT | 0xffff),
	      "a stand-in in 198.19/16: %#x", first);
	CHECK(t64_pool_get(a) == first, "stable");
	CHECK(t64_pool_addr(first, b) == 1 && memcmp(a, b, 16) == 0, "reversible");
	CHECK(t64_pool_addr(T64_POOL_DEFAULT, b) == 0 &&
		      t64_pool_addr(T64_POOL_DEFAULT | 0xffff, b) == 0 &&
		      t64_pool_addr(0xc0000201, b) == 0,
	      "198.19.0.0, .255.255 and other addresses map to nothing");
	pid = fork();
	if (pid == 0) {
		addr6(2, a);
		_exit(t64_pool_get(a) == T64_POOL_DEFAULT);
	}
	waitpid(pid, &st, 0);
	addr6(2, a);
	s = 0;
	for (uint32_t i = 1; i < T64_POOL_SLOTS - 1; i++)
		if (t64_pool_addr(T64_POOL_DEFAULT | i, b) && memcmp(a, b, 16) == 0)
			s = T64_POOL_DEFAULT | i;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && s != 0 &&
		      t64_pool_get(a) == s,
	      "the child's mapping is the parent's (MAP_SHARED): %#x", s);
	seen[first & 0xffff] = seen[s & 0xffff] = 1;
	for (uint32_t i = 3; n < T64_POOL_SLOTS - 4; i++, n++) {
		addr6(i, a);
		s = t64_pool_get(a);
		if (!t64_pool_is(s) || s == T64_POOL_DEFAULT ||
		    (s & 0xffff) == 0xffff)
			bad++;
		else if (seen[s & 0xffff]++)
			dup++;
		else if (!t64_pool_addr(s, b) || memcmp(a, b, 16) != 0)
			wrong++;
	}
	CHECK(bad == 0 && dup == 0 && wrong == 0,
	      "65534 peers: %u unusable, %u shared, %u wrong", bad, dup, wrong);
	addr6(0x7fffffff, a);
	CHECK(t64_pool_get(a) == T64_POOL_DEFAULT, "the 65535th peer: 198.19.0.0");
	addr6(1, a);
	CHECK(t64_pool_get(a) == first, "live mappings kept when full");
}

/* udp6 returns a plain IPv6 UDP socket bound to [ip]:0. */
static int udp6(const char *ip)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), on = 1;

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("udp6");
		_exit(2);
	}
	return fd;
}

/* to6 builds [ip]:port. */
static struct sockaddr_in6 to6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

/* got returns 1 when fd receives exactly text within a second. */
static int got(int fd, const char *text)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[64];
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = recv(fd, buf, sizeof buf - 1, 0);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* server4 returns a converted UDP socket bound to 0.0.0.0:0, *port set. */
static int server4(uint16_t *port)
{
	struct sockaddr_in a = sin4("0.0.0.0", 0);
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("server4");
		_exit(2);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* hear has server fd receive "hi" from client c; *from is the sender shown. */
static int hear(int fd, int c, uint16_t port, struct sockaddr_in *from)
{
	struct sockaddr_in6 to = to6("::1", port);
	socklen_t l = sizeof *from;
	char buf[16];

	if (sendto(c, "hi", 2, 0, (struct sockaddr *)&to, sizeof to) != 2)
		return 0;
	return recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)from, &l) == 2 &&
	       l == sizeof *from && from->sin_family == AF_INET;
}

/*
 * case_reply: native IPv6 peers and a NAT64-prefix peer embedding
 * 127.0.0.1 are shown as 198.19/16 stand-ins, stably; replies by sendto,
 * sendmsg, sendmmsg and a connected socket reach them; a TCP connect to
 * a stand-in reaches the IPv6 listener; 198.19.0.0 gives EHOSTUNREACH.
 */
static void case_reply(void)
{
	static const char *peers[] = { "::1", "2001:db8::5", "64:ff9b:1::7f00:1" };
	uint16_t port, lport;
	int fd = server4(&port), c[3], u, t, lfd, nfd, v1 = 1;
	struct sockaddr_in from[3], again, p, bad = sin4("198.19.0.0", 9);
	socklen_t l = sizeof p;
	char text[4] = "r0";

	for (int i = 0; i < 3; i++) {
		c[i] = udp6(peers[i]);
		CHECK(hear(fd, c[i], port, &from[i]) &&
			      (ntohl(from[i].sin_addr.s_addr) >> 16) == 0xc613,
		      "%s shown as a stand-in: %s", peers[i],
		      inet_ntoa(from[i].sin_addr));
		CHECK(hear(fd, c[i], port, &again) &&
			      again.sin_addr.s_addr == from[i].sin_addr.s_addr,
		      "%s: the same stand-in again", peers[i]);
		text[1] = (char)('0' + i);
		CHECK(sendto(fd, text, 2, 0, (struct sockaddr *)&from[i],
			     sizeof from[i]) == 2 &&
			      got(c[i], text),
		      "sendto the stand-in reaches %s: %s", peers[i],
		      strerror(errno));
	}
	CHECK(from[0].sin_addr.s_addr != from[1].sin_addr.s_addr &&
		      from[1].sin_addr.s_addr != from[2].sin_addr.s_addr,
	      "distinct peers, distinct stand-ins");
	{
		struct iovec iov = { "m", 1 };
		struct msghdr m = { .msg_name = &from[1],
				    .msg_namelen = sizeof from[1],
				    .msg_iov = &iov,
				    .msg_iovlen = 1 };
		struct mmsghdr v[2] = { { .msg_hdr = m }, { .msg_hdr = m } };

		CHECK(sendmsg(fd, &m, 0) == 1 && got(c[1], "m"), "sendmsg");
		CHECK(sendmmsg(fd, v, 2, 0) == 2 && got(c[1], "m") &&
			      got(c[1], "m"),
		      "sendmmsg");
	}
	u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(connect(u, (struct sockaddr *)&from[2], sizeof from[2]) == 0 &&
		      send(u, "c", 1, 0) == 1 && got(c[2], "c"),
	      "connected UDP socket: %s", strerror(errno));
	l = sizeof p;
	CHECK(getpeername(u, (struct sockaddr *)&p, &l) == 0 &&
		      p.sin_addr.s_addr == from[2].sin_addr.s_addr,
	      "its peer is the stand-in");
	CHECK(sendto(fd, "x", 1, 0, (struct sockaddr *)&bad, sizeof bad) < 0 &&
		      errno == EHOSTUNREACH,
	      "sendto 198.19.0.0: EHOSTUNREACH (%s)", strerror(errno));
	close(u);

	/* TCP to a stand-in (what name lookups will hand out). */
	{
		struct sockaddr_in6 a = to6("2001:db8::5", 0);
		socklen_t al = sizeof a;
		struct sockaddr_in dst = from[1];

		lfd = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(lfd, IPPROTO_IPV6, IPV6_FREEBIND, &v1, sizeof v1);
		if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
		    listen(lfd, 4) < 0 ||
		    getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
			_exit(2);
		lport = ntohs(a.sin6_port);
		dst.sin_port = htons(lport);
		t = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(t, (struct sockaddr *)&dst, sizeof dst) == 0,
		      "TCP connect to the stand-in: %s", strerror(errno));
		al = sizeof a;
		{
			struct pollfd pl = { lfd, POLLIN, 0 };

			nfd = poll(&pl, 1, 1000) == 1 ?
				      accept(lfd, (struct sockaddr *)&a, &al) :
				      -1;
		}
		CHECK(nfd >= 0, "accepted by the IPv6 listener");
		l = sizeof p;
		CHECK(getpeername(t, (struct sockaddr *)&p, &l) == 0 &&
			      same4(&p, inet_ntoa(from[1].sin_addr), lport),
		      "getpeername: the stand-in");
		close(nfd);
		close(t);
		t = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(t, (struct sockaddr *)&bad, sizeof bad) < 0 &&
			      errno == EHOSTUNREACH,
		      "TCP connect 198.19.0.0: EHOSTUNREACH (%s)",
		      strerror(errno));
		close(t);
		close(lfd);
	}
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(fd);
}

/*
 * case_fork: a pre-forked child meets a new IPv6 peer; the parent replies
 * to the stand-in the child saw (the pool is shared across fork).
 */
static void case_fork(void)
{
	uint16_t port;
	int fd = server4(&port), c = udp6("2001:db8::77"), pfd[2], st;
	struct sockaddr_in from = { 0 };
	pid_t pid;

	if (pipe(pfd) < 0)
		_exit(2);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_in f;

		if (!hear(fd, c, port, &f))
			_exit(1);
		_exit(write(pfd[1], &f, sizeof f) != sizeof f);
	}
	CHECK(read(pfd[0], &from, sizeof from) == sizeof from &&
		      waitpid(pid, &st, 0) == pid && st == 0,
	      "the child heard the peer");
	CHECK((ntohl(from.sin_addr.s_addr) >> 16) == 0xc613 &&
		      sendto(fd, "p", 1, 0, (struct sockaddr *)&from,
			     sizeof from) == 1 &&
		      got(c, "p"),
	      "the parent's reply to the child's stand-in %s arrives: %s",
	      inet_ntoa(from.sin_addr), strerror(errno));
}

/* opt reads IPv4/IPv6 option o of fd at level lv through the kernel itself. */
static int kopt(int fd, int lv, int o)
{
	int v = -1;
	socklen_t l = sizeof v;

	if (syscall(SYS_getsockopt, fd, lv, o, &v, &l) < 0)
		return -1;
	return l == 1 ? (unsigned char)v : v;
}

/* hopt reads an option through getsockopt (the hook). */
static int hopt(int fd, int lv, int o)
{
	int v = -1;
	socklen_t l = sizeof v;

	if (getsockopt(fd, lv, o, &v, &l) < 0)
		return -1;
	return l == 1 ? (unsigned char)v : v;
}

/*
 * case_opts: on converted TCP and UDP sockets, IPv4 options read back as
 * set and their IPv6 twins are on (what NAT64 traffic gets); SO_DOMAIN.
 */
static void case_opts(void)
{
	static const struct {
		int opt, val, opt6, val6;
	} twins[] = {
		{ IP_TOS, 0xb8, IPV6_TCLASS, 0xb8 },
		{ IP_TTL, 9, IPV6_UNICAST_HOPS, 9 },
		{ IP_MTU_DISCOVER, IP_PMTUDISC_PROBE, IPV6_MTU_DISCOVER,
		  IPV6_PMTUDISC_PROBE },
		{ IP_FREEBIND, 1, IPV6_FREEBIND, 1 },
		{ IP_RECVERR, 1, IPV6_RECVERR, 1 },
	};
	int types[2] = { SOCK_STREAM, SOCK_DGRAM };

	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_INET, types[i], 0), v;
		const char *k = i ? "udp" : "tcp";

		CHECK(real_domain(fd) == AF_INET6 &&
			      hopt(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET,
		      "%s: SO_DOMAIN AF_INET", k);
		for (size_t j = 0; j < sizeof twins / sizeof twins[0]; j++) {
			int o = twins[j].opt, want = twins[j].val;

			setsockopt(fd, IPPROTO_IP, o, &want, sizeof want);
			CHECK(hopt(fd, IPPROTO_IP, o) == want &&
				      kopt(fd, IPPROTO_IPV6, twins[j].opt6) ==
					      twins[j].val6,
			      "%s: IP option %d = %d reads %d, IPv6 twin %d is %d",
			      k, o, want, hopt(fd, IPPROTO_IP, o), twins[j].opt6,
			      kopt(fd, IPPROTO_IPV6, twins[j].opt6));
		}
		v = 1;
		CHECK(setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &v,
				 sizeof v) == 0 &&
			      hopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT) == 1,
		      "%s: IP_BIND_ADDRESS_NO_PORT", k);
		if (types[i] == SOCK_DGRAM) {
			v = 3;
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof v);
			v = 0;
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v, sizeof v);
			CHECK(hopt(fd, IPPROTO_IP, IP_MULTICAST_TTL) == 3 &&
				      hopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP) == 0,
			      "udp: IP_MULTICAST_TTL/LOOP read back");
		}
		close(fd);
	}
}

/* cls reads the traffic class and hop limit of one datagram on pfd. */
static int cls(int pfd, int *tclass, int *hops)
{
	_Alignas(struct cmsghdr) char ctl[256];
	char buf[16];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct pollfd p = { pfd, POLLIN, 0 };

	*tclass = *hops = -1;
	if (poll(&p, 1, 1000) != 1 || recvmsg(pfd, &m, 0) < 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS)
			memcpy(tclass, CMSG_DATA(c), sizeof *tclass);
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(hops, CMSG_DATA(c), sizeof *hops);
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
			*tclass = *(unsigned char *)CMSG_DATA(c);
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(hops, CMSG_DATA(c), sizeof *hops);
	}
	return 1;
}

/* put appends one int-valued control message to m (room checked by caller). */
static void put(struct msghdr *m, int level, int type, const void *v, size_t n)
{
	struct cmsghdr *c = (struct cmsghdr *)((char *)m->msg_control +
					       m->msg_controllen);

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(n);
	memcpy(CMSG_DATA(c), v, n);
	m->msg_controllen += CMSG_SPACE(n);
}

/*
 * case_cmsg: DEST: IP_TOS, IP_TTL and IP_PKTINFO sent with sendmsg to a
 * NAT64 destination (by name and on a connected socket) reach the wire
 * as the IPv6 traffic class and hop limit; loopback keeps the IPv4 forms.
 */
static void case_cmsg(const char *dest, const char *dest6)
{
	int pfd = udp6(dest6), fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
	int tos = 0x28, ttl = 9, tc, hl;
	struct sockaddr_in6 a;
	socklen_t al = sizeof a;
	struct sockaddr_in dst;
	struct in_pktinfo pi = { .ipi_ifindex = 1 };
	_Alignas(struct cmsghdr) char ctl[256] = { 0 }; /* cmsg padding too */
	struct iovec iov = { "t", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl };

	setsockopt(pfd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);
	setsockopt(pfd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
	setsockopt(pfd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
	setsockopt(pfd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
	getsockname(pfd, (struct sockaddr *)&a, &al);
	dst = sin4(dest, ntohs(a.sin6_port));
	m.msg_name = &dst;
	m.msg_namelen = sizeof dst;
	put(&m, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
	put(&m, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
	put(&m, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
	CHECK(sendmsg(fd, &m, 0) == 1, "sendmsg with IPv4 cmsgs: %s",
	      strerror(errno));
	CHECK(cls(pfd, &tc, &hl) && tc == 0x28 && hl == 9,
	      "on the wire: traffic class %#x, hop limit %d", tc, hl);
	m.msg_name = NULL;
	m.msg_namelen = 0;
	m.msg_controllen = 0;
	tos = 0x48;
	put(&m, IPPROTO_IP, IP_TOS, &tos, 1);
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0 &&
		      sendmsg(fd, &m, 0) == 1,
	      "connected: %s", strerror(errno));
	CHECK(cls(pfd, &tc, &hl) && tc == 0x48,
	      "connected, one-byte IP_TOS: traffic class %#x", tc);
	close(fd);
	close(pfd);
}

/*
 * case_name: DEST EXPECTED: a UDP and a TCP socket talking to DEST through
 * NAT64 name themselves EXPECTED (ipv4_identity, else 192.0.0.2) with
 * their real port.
 */
static void case_name(const char *dest, const char *expected)
{
	int types[2] = { SOCK_DGRAM, SOCK_STREAM };
	uint16_t lport;
	int lfd = listener6(&lport);

	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_INET, types[i], 0);
		struct sockaddr_in dst = sin4(dest, lport), me;
		struct sockaddr_in6 real6;
		socklen_t l = sizeof me, l6 = sizeof real6;

		CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0,
		      "connect: %s", strerror(errno));
		syscall(SYS_getsockname, fd, &real6, &l6);
		CHECK(getsockname(fd, (struct sockaddr *)&me, &l) == 0 &&
			      l == sizeof me &&
			      same4(&me, expected, ntohs(real6.sin6_port)),
		      "%s: own name %s:%u", i ? "tcp" : "udp",
		      inet_ntoa(me.sin_addr), ntohs(me.sin_port));
		close(fd);
	}
	close(lfd);
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (strcmp(c, "unit") == 0)
		case_unit();
	else if (strcmp(c, "reply") == 0)
		case_reply();
	else if (strcmp(c, "fork") == 0)
		case_fork();
	else if (strcmp(c, "opts") == 0)
		case_opts();
	else if (strcmp(c, "cmsg") == 0 && argc > 3)
		case_cmsg(argv[2], argv[3]);
	else if (strcmp(c, "name") == 0 && argc > 3)
		case_name(argv[2], argv[3]);
	else
		CHECK(0, "unknown case %s", c);
	return t_report();
}
