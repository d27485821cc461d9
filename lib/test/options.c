/*
 * IPv4 socket options and control messages on converted sockets, run by
 * run.sh under LD_PRELOAD=libtnat64.so in a network namespace (64:ff9b:1::/96
 * and 2001:db8::/32 local on lo, TNAT64_PREFIX=64:ff9b:1::/96):
 *   options opts               IPv4 options read back, their IPv6 twins on
 *   options cmsg DEST DEST6    IPv4 cmsgs of sendmsg on the wire as IPv6
 *   options name DEST EXPECTED the socket's own name through NAT64
 * Prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

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
static void case_opts(int argc, char **argv)
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

	(void)argc;
	(void)argv;
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
 * mmsg_cmsg: two datagrams of one sendmmsg on a new AF_INET socket to
 * dst, each with its own IP_TOS and IP_TTL cmsgs, reach pfd with those.
 */
static void mmsg_cmsg(int pfd, const struct sockaddr_in *dst)
{
	_Alignas(struct cmsghdr) char ctl[2][64] = { { 0 } };
	struct iovec iov = { "m", 1 };
	struct mmsghdr v[2] = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), tc, hl;
	int tos[2] = { 0x30, 0x50 }, ttl[2] = { 7, 11 };

	for (int i = 0; i < 2; i++) {
		v[i].msg_hdr = (struct msghdr){ .msg_name = (void *)dst, .msg_namelen = sizeof *dst,
						.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl[i] };
		put(&v[i].msg_hdr, IPPROTO_IP, IP_TOS, &tos[i], sizeof tos[i]);
		put(&v[i].msg_hdr, IPPROTO_IP, IP_TTL, &ttl[i], sizeof ttl[i]);
	}
	CHECK(sendmmsg(fd, v, 2, 0) == 2, "sendmmsg with IPv4 cmsgs: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		CHECK(cls(pfd, &tc, &hl) && tc == tos[i] && hl == ttl[i],
		      "sendmmsg message %d on the wire: traffic class %#x, hop limit %d", i, tc, hl);
	close(fd);
}

/*
 * case_cmsg: DEST: IP_TOS, IP_TTL and IP_PKTINFO sent with sendmsg to a
 * NAT64 destination (by name and on a connected socket), and IP_TOS and
 * IP_TTL with sendmmsg, reach the wire as the IPv6 traffic class and hop
 * limit; loopback keeps the IPv4 forms.
 */
static void case_cmsg(int argc, char **argv)
{
	const char *dest = argv[0], *dest6 = argv[1];
	int pfd = udp6(dest6), fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
	int tos = 0x28, ttl = 9, tc, hl;
	struct sockaddr_in6 a;
	socklen_t al = sizeof a;
	struct sockaddr_in dst;
	struct in_pktinfo pi = { .ipi_ifindex = 1 };
	_Alignas(struct cmsghdr) char ctl[256] = { 0 }; /* cmsg padding too */
	struct iovec iov = { "t", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl };

	(void)argc;
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
	mmsg_cmsg(pfd, &dst);
	close(pfd);
}

/*
 * case_name: DEST EXPECTED: a UDP and a TCP socket talking to DEST through
 * NAT64 name themselves EXPECTED (ipv4_identity, else 192.0.0.2) with
 * their real port.
 */
static void case_name(int argc, char **argv)
{
	const char *dest = argv[0], *expected = argv[1];
	int types[2] = { SOCK_DGRAM, SOCK_STREAM };
	uint16_t lport;
	int lfd = listener6(&lport);

	(void)argc;
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

static const struct t_case cases[] = {
	{ "opts", 0, case_opts },
	{ "cmsg", 2, case_cmsg },
	{ "name", 2, case_name },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
