/*
 * UDP hook tests: run under LD_PRELOAD=libtnat64.so inside a private
 * network namespace prepared by run.sh. Usage: udp CASE [ARGS...]; prints
 * "N passed, M failed". Peers are plain AF_INET6 sockets (left alone by
 * the library) that see what the kernel really got; "real" AF_INET sockets
 * for comparison are made with the socket system call, which no hook sees.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

/* real_inet returns a real AF_INET UDP socket (no hook involved). */
static int real_inet(void)
{
	return (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
}

/* udp4 returns a converted UDP socket (socket(AF_INET, SOCK_DGRAM)). */
static int udp4(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0 && real_domain(fd) == AF_INET6, "converted UDP socket");
	return fd;
}

/*
 * peer_recv receives one datagram on udp_peer6 socket pfd: its payload in
 * buf, the sender in *from, the destination address text in to. Returns
 * the length, or -1.
 */
static ssize_t peer_recv(int pfd, char *buf, size_t n,
			 struct sockaddr_in6 *from, char to[INET6_ADDRSTRLEN])
{
	struct sockaddr_in6 dst;
	ssize_t rc = peer_recv6(pfd, buf, n, from, &dst);

	strcpy(to, "?");
	if (dst.sin6_family == AF_INET6)
		inet_ntop(AF_INET6, &dst.sin6_addr, to, INET6_ADDRSTRLEN);
	return rc;
}

/* same6 returns 1 when text a and b are the same IPv6 address. */
static int same6(const char *a, const char *b)
{
	uint8_t x[16], y[16];

	return inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1 &&
	       memcmp(x, y, 16) == 0;
}

/*
 * peer_echo answers the datagram just received from `from` on pfd from
 * the address `to` it was sent to (IPV6_PKTINFO), with payload msg.
 */
static void peer_echo(int pfd, const struct sockaddr_in6 *from, const char *to,
		      const char *msg)
{
	CHECK(peer_send6(pfd, from, to, msg), "peer echo: %s", strerror(errno));
}

/* glibc's fortified recvfrom, what _FORTIFY_SOURCE programs call when the length is not a constant. */
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *lenp);

/* The plain recvfrom, called through a pointer so it is never fortified. */
static ssize_t (*volatile plain_recvfrom)(int, void *, size_t, int,
					  struct sockaddr *, socklen_t *) =
	recvfrom;

/*
 * case_sendrecv: for each DEST EXPECTED pair, sendto DEST from a converted
 * socket; the peer must see EXPECTED as destination and answer from it;
 * recvfrom (plain and fortified) reports DEST:port as a 16-byte
 * sockaddr_in, truncated for short buffers, and works with NULL.
 */
static void case_sendrecv(int argc, char **argv)
{
	uint16_t port;
	int pfd = udp_peer6(&port);

	for (int i = 0; i + 1 < argc; i += 2) {
		struct sockaddr_in dst = sin4(argv[i], port), from;
		struct sockaddr_in6 cli;
		socklen_t l;
		char buf[64], to[INET6_ADDRSTRLEN];
		unsigned char raw[32];
		int fd = udp4();
		ssize_t rc;

		errno = 4242;
		rc = sendto(fd, "ping", 4, 0, (struct sockaddr *)&dst, sizeof dst);
		CHECK(rc == 4 && errno == 4242, "sendto %s: %s", argv[i],
		      strerror(errno));
		rc = peer_recv(pfd, buf, sizeof buf, &cli, to);
		CHECK(rc == 4 && same6(to, argv[i + 1]), "peer saw %s, want %s",
		      to, argv[i + 1]);
		/* Plain recvfrom, full buffer. */
		peer_echo(pfd, &cli, to, "pong");
		l = sizeof from;
		memset(&from, 0, sizeof from);
		CHECK(readable(fd, 2000) &&
			      plain_recvfrom(fd, buf, sizeof buf, 0,
					     (struct sockaddr *)&from, &l) == 4 &&
			      l == sizeof from && same4(&from, argv[i], port),
		      "recvfrom %s: %s", argv[i], strerror(errno));
		/* Fortified recvfrom (__recvfrom_chk), short address buffer. */
		peer_echo(pfd, &cli, to, "pong");
		memset(raw, 0xaa, sizeof raw);
		l = 6;
		CHECK(readable(fd, 2000) &&
			      __recvfrom_chk(fd, buf, sizeof buf, sizeof buf, 0,
					     (struct sockaddr *)raw, &l) == 4 &&
			      l == 16 && memcmp(raw, &from, 6) == 0 &&
			      raw[6] == 0xaa,
		      "recvfrom short: %u", l);
		/* NULL address, NULL length. */
		peer_echo(pfd, &cli, to, "pong");
		CHECK(readable(fd, 2000) && recvfrom(fd, buf, sizeof buf, 0, NULL, NULL) == 4,
		      "recvfrom NULL: %s", strerror(errno));
		/* Length 0: nothing written, length 16. */
		peer_echo(pfd, &cli, to, "pong");
		memset(raw, 0xaa, sizeof raw);
		l = 0;
		CHECK(readable(fd, 2000) &&
			      plain_recvfrom(fd, buf, sizeof buf, 0,
					     (struct sockaddr *)raw, &l) == 4 &&
			      l == 16 && raw[0] == 0xaa,
		      "recvfrom len 0: %u", l);
		/* getsockname: an IPv4 answer. */
		l = sizeof from;
		CHECK(getsockname(fd, (struct sockaddr *)&from, &l) == 0 &&
			      l == 16 && from.sin_family == AF_INET,
		      "getsockname");
		close(fd);
	}
	close(pfd);
}

/* The ancillary data a converted socket got, IPv4 forms only. */
struct anc {
	int pktinfo, ttl, tos, other;
	struct in_pktinfo pi;
	int ttlv, tosv;
};

/* anc_read parses the control messages of m into *a. */
static void anc_read(struct msghdr *m, struct anc *a)
{
	memset(a, 0, sizeof *a);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			a->pktinfo++;
			memcpy(&a->pi, CMSG_DATA(c), sizeof a->pi);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			a->ttl++;
			memcpy(&a->ttlv, CMSG_DATA(c), sizeof a->ttlv);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
			a->tos++;
			a->tosv = *CMSG_DATA(c);
		} else {
			a->other++;
		}
	}
}

/*
 * case_cmsg: DEST SELF: sendmsg to DEST from a converted socket with
 * IP_PKTINFO, IP_RECVTTL and IP_RECVTOS on; the peer answers with hop
 * limit/TTL 33 and traffic class/TOS 0x28; recvmsg gives exactly one
 * IP_PKTINFO (ipi_addr SELF), IP_TTL 33, IP_TOS 0x28 and the sender as
 * sockaddr_in; a control buffer with room for one gives MSG_CTRUNC.
 */
static void case_cmsg(int argc, char **argv)
{
	uint16_t port;
	int pfd = udp_peer6(&port), fd = udp4(), on = 1, v = 33, tos = 0x28;
	struct sockaddr_in dst, from, self;
	struct sockaddr_in6 cli;
	char buf[64], to[INET6_ADDRSTRLEN];
	_Alignas(struct cmsghdr) char ctl[256];
	struct iovec iov = { "ping", 4 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct anc a;

	(void)argc;
	dst = sin4(argv[0], port);
	self = sin4(argv[1], 0);
	setsockopt(pfd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof v);
	setsockopt(pfd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
	setsockopt(pfd, IPPROTO_IP, IP_TTL, &v, sizeof v);
	setsockopt(pfd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
	CHECK(setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0 &&
		      setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on) == 0 &&
		      setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on) == 0,
	      "IPv4 cmsg options: %s", strerror(errno));
	m.msg_name = &dst;
	m.msg_namelen = sizeof dst;
	CHECK(sendmsg(fd, &m, 0) == 4, "sendmsg: %s", strerror(errno));
	CHECK(peer_recv(pfd, buf, sizeof buf, &cli, to) == 4, "peer got it");
	for (int round = 0; round < 2; round++) {
		socklen_t want = round == 0 ? sizeof ctl :
					      CMSG_SPACE(sizeof(struct in_pktinfo));

		peer_echo(pfd, &cli, to, "pong");
		iov.iov_base = buf;
		iov.iov_len = sizeof buf;
		m.msg_name = &from;
		m.msg_namelen = sizeof from;
		m.msg_control = ctl;
		m.msg_controllen = want;
		m.msg_flags = 0;
		CHECK(readable(fd, 2000) && recvmsg(fd, &m, 0) == 4, "recvmsg: %s",
		      strerror(errno));
		CHECK(m.msg_namelen == 16 && same4(&from, argv[0], port),
		      "sender %s", argv[0]);
		anc_read(&m, &a);
		CHECK(a.pktinfo == 1 && a.pi.ipi_addr.s_addr == self.sin_addr.s_addr &&
			      a.pi.ipi_ifindex > 0,
		      "round %d: IP_PKTINFO x%d", round, a.pktinfo);
		CHECK(a.other == 0, "round %d: %d IPv6 or unknown cmsgs", round,
		      a.other);
		if (round == 0) {
			CHECK(a.ttl == 1 && a.ttlv == 33, "IP_TTL x%d = %d", a.ttl,
			      a.ttlv);
			CHECK(a.tos == 1 && a.tosv == 0x28, "IP_TOS x%d = %#x",
			      a.tos, a.tosv);
			CHECK(!(m.msg_flags & MSG_CTRUNC), "no MSG_CTRUNC");
		} else {
			CHECK(a.ttl == 0 && a.tos == 0 && (m.msg_flags & MSG_CTRUNC),
			      "MSG_CTRUNC %#x", m.msg_flags);
			CHECK(m.msg_controllen <= want, "controllen %zu",
			      (size_t)m.msg_controllen);
		}
	}
	close(fd);
	close(pfd);
}

/*
 * case_mmsg: DEST EXPECTED DEST2 EXPECTED2: sendmmsg of 40 datagrams (more
 * than one chunk), alternately to DEST and DEST2; the peer sees each at
 * its expected address and answers; recvmmsg gets all 40 with the senders
 * as sockaddr_in.
 */
static void case_mmsg(int argc, char **argv)
{
	enum { N = 40 };
	uint16_t port;
	int pfd = udp_peer6(&port), fd = udp4(), got = 0, ok = 0;
	struct sockaddr_in dst[2], from[N];
	struct mmsghdr v[N];
	struct iovec iov[N];
	char buf[N][16];

	(void)argc;
	dst[0] = sin4(argv[0], port);
	dst[1] = sin4(argv[2], port);
	memset(v, 0, sizeof v);
	for (int i = 0; i < N; i++) {
		snprintf(buf[i], sizeof buf[i], "m%d", i);
		iov[i].iov_base = buf[i];
		iov[i].iov_len = strlen(buf[i]);
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_hdr.msg_name = &dst[i % 2];
		v[i].msg_hdr.msg_namelen = sizeof dst[i % 2];
	}
	CHECK(sendmmsg(fd, v, N, 0) == N, "sendmmsg: %s", strerror(errno));
	for (int i = 0; i < N; i++)
		ok += v[i].msg_len == iov[i].iov_len;
	CHECK(ok == N, "msg_len set for %d", ok);
	ok = 0;
	for (int i = 0; i < N; i++) {
		struct sockaddr_in6 cli;
		char b[16], to[INET6_ADDRSTRLEN];
		ssize_t rc = peer_recv(pfd, b, sizeof b - 1, &cli, to);
		int k;

		if (rc < 0)
			break;
		b[rc] = 0;
		k = atoi(b + 1) % 2;
		ok += same6(to, argv[2 * k + 1]);
		peer_echo(pfd, &cli, to, b);
	}
	CHECK(ok == N, "peer saw %d of %d at the right address", ok, N);
	memset(v, 0, sizeof v);
	for (int i = 0; i < N; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof buf[i];
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_hdr.msg_name = &from[i];
		v[i].msg_hdr.msg_namelen = sizeof from[i];
	}
	while (got < N && readable(fd, 2000)) {
		int rc = recvmmsg(fd, v + got, N - got, MSG_DONTWAIT, NULL);

		if (rc <= 0)
			break;
		got += rc;
	}
	CHECK(got == N, "recvmmsg got %d", got);
	ok = 0;
	for (int i = 0; i < got; i++) {
		int k;

		buf[i][v[i].msg_len < 15 ? v[i].msg_len : 15] = 0;
		k = atoi(buf[i] + 1) % 2;
		ok += v[i].msg_hdr.msg_namelen == 16 &&
		      same4(&from[i], argv[2 * k], port);
	}
	CHECK(ok == got, "recvmmsg senders right for %d of %d", ok, got);
	/* More than UIO_MAXIOV messages: the kernel's limit, 1024. */
	{
		static struct mmsghdr big[1100];
		struct iovec one = { "z", 1 };

		for (int i = 0; i < 1100; i++)
			big[i].msg_hdr = (struct msghdr){ .msg_name = &dst[1],
							  .msg_namelen = sizeof dst[1],
							  .msg_iov = &one,
							  .msg_iovlen = 1 };
		CHECK(sendmmsg(fd, big, 1100, MSG_DONTWAIT) == 1024,
		      "sendmmsg of 1100: %s", strerror(errno));
	}
	close(fd);
	close(pfd);
}

/*
 * case_connected: DEST EXPECTED: connect to DEST, send, the peer sees
 * EXPECTED; re-connect to 127.0.0.1 and back; AF_UNSPEC disconnects
 * (ENOTCONN from getpeername, sendto works again); a connected socket to a
 * closed port gets ECONNREFUSED.
 */
static void case_connected(int argc, char **argv)
{
	uint16_t port, port2;
	int pfd = udp_peer6(&port), pfd2 = udp_peer6(&port2), fd = udp4(), closed;
	struct sockaddr_in dst, lo = sin4("127.0.0.1", port2), peer;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct sockaddr_in6 cli;
	char buf[64], to[INET6_ADDRSTRLEN];
	socklen_t l;

	(void)argc;
	dst = sin4(argv[0], port);
	for (int round = 0; round < 2; round++) {
		CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0,
		      "connect %s: %s", argv[0], strerror(errno));
		CHECK(send(fd, "a", 1, 0) == 1, "send: %s", strerror(errno));
		CHECK(peer_recv(pfd, buf, sizeof buf, &cli, to) == 1 &&
			      same6(to, argv[1]),
		      "round %d: peer saw %s", round, to);
		peer_echo(pfd, &cli, to, "b");
		CHECK(readable(fd, 2000) && recv(fd, buf, sizeof buf, 0) == 1,
		      "recv: %s", strerror(errno));
		l = sizeof peer;
		CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) == 0 &&
			      same4(&peer, argv[0], port),
		      "getpeername");
		CHECK(connect(fd, (struct sockaddr *)&lo, sizeof lo) == 0,
		      "re-connect 127.0.0.1: %s", strerror(errno));
		CHECK(write(fd, "c", 1) == 1, "write: %s", strerror(errno));
		CHECK(peer_recv(pfd2, buf, sizeof buf, &cli, to) == 1 &&
			      same6(to, "::ffff:127.0.0.1"),
		      "round %d: loopback peer saw %s", round, to);
		l = sizeof peer;
		CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) == 0 &&
			      same4(&peer, "127.0.0.1", port2),
		      "getpeername loopback");
	}
	CHECK(connect(fd, &unspec, sizeof unspec) == 0, "AF_UNSPEC: %s",
	      strerror(errno));
	l = sizeof peer;
	CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) < 0 &&
		      errno == ENOTCONN,
	      "disconnected: %s", strerror(errno));
	CHECK(sendto(fd, "d", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1,
	      "sendto after disconnect: %s", strerror(errno));
	CHECK(peer_recv(pfd, buf, sizeof buf, &cli, to) == 1 && same6(to, argv[1]),
	      "peer after disconnect saw %s", to);
	close(fd);

	/* A closed port: the port unreachable comes back as ECONNREFUSED. */
	closed = udp4();
	dst.sin_port = htons(9); /* nothing listens here */
	CHECK(connect(closed, (struct sockaddr *)&dst, sizeof dst) == 0,
	      "connect closed port");
	send(closed, "x", 1, 0);
	errno = 0;
	CHECK(readable(closed, 2000) && recv(closed, buf, sizeof buf, 0) < 0 &&
		      errno == ECONNREFUSED,
	      "ECONNREFUSED: %s", strerror(errno));
	close(closed);
	close(pfd);
	close(pfd2);
}

/*
 * case_recverr: DEST [OFFENDER]: IP_RECVERR on a converted socket
 * connected to a closed port of DEST; the error queue gives
 * SOL_IP/IP_RECVERR with an ICMP port unreachable and OFFENDER (default
 * DEST) as the offender, like an AF_INET socket.
 */
static void case_recverr(int argc, char **argv)
{
	int fd = udp4(), on = 1, found = 0;
	struct sockaddr_in dst = sin4(argc > 0 ? argv[0] : "127.0.0.1", 9), name;
	_Alignas(struct cmsghdr) char ctl[256];
	char buf[64];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_name = &name, .msg_namelen = sizeof name,
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct pollfd p = { .fd = fd, .events = 0 };

	CHECK(setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) == 0,
	      "IP_RECVERR");
	CHECK(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0, "connect");
	send(fd, "x", 1, 0);
	poll(&p, 1, 2000);
	CHECK(recvmsg(fd, &m, MSG_ERRQUEUE) >= 0, "MSG_ERRQUEUE: %s",
	      strerror(errno));
	CHECK(m.msg_namelen == 16 && same4(&name, argv[0], 9), "errqueue name");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL;
	     c = CMSG_NXTHDR(&m, c)) {
		struct sock_extended_err ee;
		struct sockaddr_in off;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
			continue;
		found++;
		memcpy(&ee, CMSG_DATA(c), sizeof ee);
		memcpy(&off, CMSG_DATA(c) + sizeof ee, sizeof off);
		CHECK(ee.ee_errno == ECONNREFUSED &&
			      ee.ee_origin == SO_EE_ORIGIN_ICMP &&
			      ee.ee_type == 3 && ee.ee_code == 3,
		      "ee %d origin %d type %d code %d", ee.ee_errno,
		      ee.ee_origin, ee.ee_type, ee.ee_code);
		CHECK(off.sin_family == AF_INET, "offender family %d",
		      off.sin_family);
		CHECK(same4(&off, argc > 1 ? argv[1] : argv[0], 0), "offender %s",
		      inet_ntoa(off.sin_addr));
	}
	CHECK(found == 1, "IP_RECVERR x%d", found);
	close(fd);
}

/*
 * tstamp_kinds sends one datagram to ip:port on fd with software TX
 * timestamps on and reads the error queue: bit 0 SCM_TIMESTAMPING, bit 1
 * SOL_IP/IP_RECVERR of origin TIMESTAMPING, bit 2 anything at SOL_IPV6.
 * Returns the bits, or -1.
 */
static int tstamp_kinds(int fd, const char *ip, uint16_t port)
{
	int v = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE, bits = 0;
	struct sockaddr_in dst = sin4(ip, port);
	_Alignas(struct cmsghdr) char ctl[512];
	char buf[64];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };
	struct pollfd p = { .fd = fd, .events = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &v, sizeof v) < 0 ||
	    sendto(fd, "t", 1, 0, (struct sockaddr *)&dst, sizeof dst) != 1)
		return -1;
	poll(&p, 1, 2000);
	if (recvmsg(fd, &m, MSG_ERRQUEUE) < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		struct sock_extended_err ee;

		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING)
			bits |= 1;
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) {
			memcpy(&ee, CMSG_DATA(c), sizeof ee);
			if (ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING)
				bits |= 2;
		}
		if (c->cmsg_level == IPPROTO_IPV6)
			bits |= 4;
	}
	return bits;
}

/*
 * case_tstamp: DEST...: TX timestamps from the error queue arrive as on an
 * AF_INET socket (SCM_TIMESTAMPING and SOL_IP/IP_RECVERR), for each DEST.
 */
static void case_tstamp(int argc, char **argv)
{
	uint16_t port;
	int pfd = udp_peer6(&port), real = real_inet();

	CHECK(tstamp_kinds(real, "127.0.0.1", port) == 3, "real AF_INET");
	for (int i = 0; i < argc; i++) {
		int fd = udp4(), bits = tstamp_kinds(fd, argv[i], port);

		CHECK(bits == 3, "%s: kinds %d", argv[i], bits);
		close(fd);
	}
	close(real);
	close(pfd);
}

/*
 * case_sendopts: DEST: IP_TTL 7 and IP_TOS 0x20 set on a converted socket
 * also apply to what goes through NAT64: the peer sees hop limit 7 and
 * traffic class 0x20.
 */
static void case_sendopts(int argc, char **argv)
{
	uint16_t port;
	int pfd = udp_peer6(&port), fd = udp4(), on = 1, ttl = 7, tos = 0x20;
	int hops = -1, tclass = -1;
	struct sockaddr_in dst = sin4(argc > 0 ? argv[0] : "198.51.100.7", 0);
	_Alignas(struct cmsghdr) char ctl[256];
	char buf[16];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };

	dst.sin_port = htons(port);
	setsockopt(pfd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
	setsockopt(pfd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);
	CHECK(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0 &&
		      setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) == 0,
	      "IP_TTL/IP_TOS: %s", strerror(errno));
	CHECK(sendto(fd, "o", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1,
	      "sendto");
	CHECK(readable(pfd, 2000) && recvmsg(pfd, &m, 0) == 1, "peer got it");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hops, CMSG_DATA(c), sizeof hops);
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS)
			memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
	}
	CHECK(hops == 7 && tclass == 0x20, "hop limit %d, traffic class %#x",
	      hops, tclass);
	close(fd);
	close(pfd);
}

/* bound_port returns the port of fd, 0 on failure. */
static uint16_t bound_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;

	if (getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return 0;
	return ntohs(a.sin_port);
}

/*
 * case_bind: DEST EXPECTED: bind 0.0.0.0:P, the socket still reaches DEST
 * through NAT64 and says 0.0.0.0:P; with a separate IPv6-only socket on
 * [::]:P, binding 0.0.0.0:P still works (IPv4 only), as it would for an
 * AF_INET socket.
 */
static void case_bind(int argc, char **argv)
{
	uint16_t port, p;
	int pfd = udp_peer6(&port), fd = udp4(), v6, on = 1, fd2;
	struct sockaddr_in any = sin4("0.0.0.0", 0), me, dst;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 }, cli;
	char buf[64], to[INET6_ADDRSTRLEN];
	socklen_t l = sizeof me;

	(void)argc;
	dst = sin4(argv[0], port);
	/* Find a free port, then bind to it explicitly. */
	v6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	bind(v6, (struct sockaddr *)&a6, sizeof a6);
	l = sizeof a6;
	getsockname(v6, (struct sockaddr *)&a6, &l);
	p = ntohs(a6.sin6_port);
	close(v6);
	any.sin_port = htons(p);
	CHECK(bind(fd, (struct sockaddr *)&any, sizeof any) == 0,
	      "bind 0.0.0.0:%u: %s", p, strerror(errno));
	l = sizeof me;
	CHECK(getsockname(fd, (struct sockaddr *)&me, &l) == 0 &&
		      same4(&me, "0.0.0.0", p),
	      "getsockname 0.0.0.0:%u", p);
	CHECK(sendto(fd, "a", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1,
	      "sendto: %s", strerror(errno));
	CHECK(peer_recv(pfd, buf, sizeof buf, &cli, to) == 1 &&
		      same6(to, argv[1]) && ntohs(cli.sin6_port) == p,
	      "bound socket through NAT64: peer saw %s port %u", to,
	      ntohs(cli.sin6_port));
	close(fd);

	/* An IPv6-only socket owns [::]:P: 0.0.0.0:P is still free for IPv4. */
	v6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	a6.sin6_port = htons(p);
	memset(&a6.sin6_addr, 0, sizeof a6.sin6_addr);
	CHECK(bind(v6, (struct sockaddr *)&a6, sizeof a6) == 0, "v6 bind");
	fd2 = udp4();
	errno = 4242;
	CHECK(bind(fd2, (struct sockaddr *)&any, sizeof any) == 0 &&
		      errno == 4242 && bound_port(fd2) == p,
	      "bind beside an IPv6 socket: %s", strerror(errno));
	dst = sin4("127.0.0.1", port);
	CHECK(sendto(fd2, "b", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1 &&
		      peer_recv(pfd, buf, sizeof buf, &cli, to) == 1 &&
		      same6(to, "::ffff:127.0.0.1"),
	      "IPv4 from the bound socket");
	close(fd2);
	close(v6);
	close(pfd);
}

/*
 * outcome sends one datagram to ip:port on fd: 0 when sent, else errno.
 */
static int outcome(int fd, const char *ip, uint16_t port)
{
	struct sockaddr_in a = sin4(ip, port);

	return sendto(fd, "b", 1, 0, (struct sockaddr *)&a, sizeof a) == 1 ? 0 :
									      errno;
}

/*
 * case_bcast: [+]ADDR...: with and without SO_BROADCAST (+: with only),
 * sendto each broadcast ADDR gives the same result on a converted socket
 * as on a real AF_INET one; what was sent arrives at a real AF_INET
 * receiver (IPv4, never NAT64).
 */
static void case_bcast(int argc, char **argv)
{
	int rcv = real_inet(), on = 1;
	struct sockaddr_in a = sin4("0.0.0.0", 0);
	uint16_t port;
	char buf[8];

	bind(rcv, (struct sockaddr *)&a, sizeof a);
	port = bound_port(rcv);
	for (int i = 0; i < argc; i++) {
		int only = argv[i][0] == '+'; /* with SO_BROADCAST only */
		const char *ip = argv[i] + only;

		for (int b = only; b < 2; b++) {
			int conv = udp4(), real = real_inet(), rc, rr, got = 0;

			if (b) {
				CHECK(setsockopt(conv, SOL_SOCKET, SO_BROADCAST,
						 &on, sizeof on) == 0,
				      "SO_BROADCAST");
				setsockopt(real, SOL_SOCKET, SO_BROADCAST, &on,
					   sizeof on);
			}
			rr = outcome(real, ip, port);
			while (rr == 0 && readable(rcv, 2000) &&
			       recv(rcv, buf, sizeof buf, MSG_DONTWAIT) > 0)
				;
			rc = outcome(conv, ip, port);
			CHECK(rc == rr, "%s SO_BROADCAST=%d: %s, real AF_INET %s",
			      ip, b, strerror(rc), strerror(rr));
			if (rc == 0 && rr == 0) {
				got = readable(rcv, 2000) &&
				      recv(rcv, buf, sizeof buf, 0) == 1;
				CHECK(got, "%s: received over IPv4", ip);
			}
			close(conv);
			close(real);
		}
	}
	close(rcv);
}

/*
 * case_mcast: GROUP IFADDR|-: a converted receiver bound to 0.0.0.0:P
 * joins GROUP (IP_ADD_MEMBERSHIP on IFADDR); a converted sender with
 * IP_MULTICAST_IF/TTL/LOOP sends to GROUP:P; the receiver gets it from
 * IFADDR. With "-" (no IPv4 here), every step gives the same result as a
 * real AF_INET socket.
 */
static void case_mcast(int argc, char **argv)
{
	const char *grp = argc > 0 ? argv[0] : "239.1.2.3";
	const char *ifa = argc > 1 ? argv[1] : "-";
	int v4 = strcmp(ifa, "-") != 0;
	int sock[2] = { udp4(), real_inet() }, snd[2] = { udp4(), real_inet() };
	int res[2][5], ttl = 1, loop = 1;
	struct ip_mreq mr = { 0 };
	struct in_addr ifaddr = { 0 };
	struct sockaddr_in any = sin4("0.0.0.0", 0), from;
	uint16_t port;
	char buf[8];
	socklen_t l;

	inet_pton(AF_INET, grp, &mr.imr_multiaddr);
	if (v4)
		inet_pton(AF_INET, ifa, &ifaddr);
	mr.imr_interface = ifaddr;
	for (int k = 0; k < 2; k++) {
		bind(sock[k], (struct sockaddr *)&any, sizeof any);
		port = bound_port(sock[k]);
		res[k][0] = setsockopt(sock[k], IPPROTO_IP, IP_ADD_MEMBERSHIP,
				       &mr, sizeof mr) == 0 ? 0 : errno;
		res[k][1] = setsockopt(snd[k], IPPROTO_IP, IP_MULTICAST_IF,
				       &ifaddr, sizeof ifaddr) == 0 ? 0 : errno;
		res[k][2] = setsockopt(snd[k], IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
				       sizeof ttl) == 0 ? 0 : errno;
		res[k][3] = setsockopt(snd[k], IPPROTO_IP, IP_MULTICAST_LOOP,
				       &loop, sizeof loop) == 0 ? 0 : errno;
		res[k][4] = outcome(snd[k], grp, port);
		if (k == 0 && v4) {
			l = sizeof from;
			CHECK(readable(sock[0], 2000) &&
				      recvfrom(sock[0], buf, sizeof buf, 0,
					       (struct sockaddr *)&from, &l) == 1 &&
				      l == 16 && from.sin_family == AF_INET &&
				      from.sin_addr.s_addr == ifaddr.s_addr,
			      "multicast received from %s", ifa);
		}
	}
	for (int j = 0; j < 5; j++)
		CHECK(res[0][j] == res[1][j], "step %d: %s, real AF_INET %s", j,
		      strerror(res[0][j]), strerror(res[1][j]));
	if (v4)
		CHECK(res[0][0] == 0 && res[0][4] == 0, "joined and sent");
	l = sizeof ttl;
	ttl = 0;
	CHECK(getsockopt(snd[0], IPPROTO_IP, IP_MULTICAST_TTL, &ttl, &l) == 0 &&
		      ttl == 1,
	      "IP_MULTICAST_TTL reads back %d", ttl);
	for (int k = 0; k < 2; k++) {
		close(sock[k]);
		close(snd[k]);
	}
}

/*
 * case_unreachable: DEST N: with no prefix and no IPv4, N sendto calls to
 * DEST fail at once with ENETUNREACH (run.sh counts the messages).
 */
static void case_unreachable(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, fd = udp4(), bad = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		bad += outcome(fd, argc > 0 ? argv[0] : "203.0.113.2", 53) !=
		       ENETUNREACH;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(bad == 0, "%d of %d not ENETUNREACH", bad, n);
	CHECK(t1.tv_sec - t0.tv_sec < 2, "fast");
	close(fd);
}

static const struct t_case cases[] = {
	{ "sendrecv", 2, case_sendrecv },
	{ "cmsg", 2, case_cmsg },
	{ "mmsg", 4, case_mmsg },
	{ "connected", 2, case_connected },
	{ "recverr", 1, case_recverr },
	{ "bind", 2, case_bind },
	{ "bcast", 0, case_bcast },
	{ "mcast", 0, case_mcast },
	{ "sendopts", 0, case_sendopts },
	{ "tstamp", 0, case_tstamp },
	{ "unreachable", 0, case_unreachable },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
