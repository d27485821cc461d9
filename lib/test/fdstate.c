/*
 * Test program for the fd table's edges (run under the library by
 * lib/test/run.sh): numbers closed past the hooks (closefrom, fclose of an
 * fdopen'ed socket, a raw close), so a socket or file the program puts there
 * next, even past the hooks, must be its own; the debug file's number taken over by the program;
 * and fds above the fixed table (65536 and beyond).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "check.h"
#include "net.h"

/* raw_v6 makes a genuine IPv6-only UDP socket on [::1] with a raw system call (no hook sees it). */
static int raw_v6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int on = 1, fd = (int)syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0);

	if (fd < 0 || syscall(SYS_setsockopt, fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0 ||
	    syscall(SYS_bind, fd, &a, sizeof a) < 0) {
		perror("raw_v6");
		exit(2);
	}
	return fd;
}

/* is_own_v6 returns 1 when getsockname (the hook) shows fd as the AF_INET6 [::1] it is. */
static int is_own_v6(int fd)
{
	struct sockaddr_in6 a;
	socklen_t l = sizeof a;

	memset(&a, 0, sizeof a);
	return getsockname(fd, (struct sockaddr *)&a, &l) == 0 && l == sizeof a && a.sin6_family == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&a.sin6_addr);
}

/* converted returns a converted UDP socket (AF_INET through the hook, AF_INET6 in the kernel). */
static int converted(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || real_domain(fd) != AF_INET6) {
		fprintf(stderr, "socket(AF_INET) was not converted\n");
		exit(2);
	}
	return fd;
}

/*
 * case_closefrom: closefrom() closes a converted socket; the program's
 * next socket on that number (one no hook saw being made) is shown as what
 * it is.
 */
static void case_closefrom(int argc, char **argv)
{
	int fd = converted(), n;

	(void)argc;
	(void)argv;
	closefrom(fd);
	n = raw_v6();
	CHECK(n == fd, "the number came back (%d, %d)", n, fd);
	CHECK(is_own_v6(n), "after closefrom, a raw IPv6 socket on the old number is AF_INET6 [::1]");
	close(n);
}

/*
 * case_fclose: fclose() of an fdopen'ed converted socket closes it inside
 * libc; the number's next socket is shown as what it is.
 */
static void case_fclose(int argc, char **argv)
{
	int fd = converted(), n;
	FILE *f = fdopen(fd, "r+");

	(void)argc;
	(void)argv;
	CHECK(f != NULL, "fdopen: %s", strerror(errno));
	CHECK(f != NULL && fclose(f) == 0, "fclose");
	n = raw_v6();
	CHECK(n == fd, "the number came back (%d, %d)", n, fd);
	CHECK(is_own_v6(n), "after fclose, a raw IPv6 socket on the old number is AF_INET6 [::1]");
	close(n);
}

/*
 * case_received: a converted socket closed with a raw close (nothing can
 * see that), then a socket received over SCM_RIGHTS lands on its number:
 * the receiver sees that socket as it is.
 */
static void case_received(int argc, char **argv)
{
	int fd = converted(), sv[2], v6 = raw_v6(), got = -1;
	union {
		struct cmsghdr c;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
	struct cmsghdr *c;
	char x;

	(void)argc;
	(void)argv;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	memset(u.b, 0, sizeof u.b);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &v6, sizeof v6);
	CHECK(sendmsg(sv[0], &m, 0) == 1, "sendmsg SCM_RIGHTS: %s", strerror(errno));
	syscall(SYS_close, fd);
	memset(u.b, 0, sizeof u.b);
	iov.iov_base = &x;
	m.msg_controllen = sizeof u.b;
	CHECK(recvmsg(sv[1], &m, 0) == 1 && (c = CMSG_FIRSTHDR(&m)) != NULL && c->cmsg_type == SCM_RIGHTS,
	      "recvmsg SCM_RIGHTS: %s", strerror(errno));
	if (c != NULL)
		memcpy(&got, CMSG_DATA(c), sizeof got);
	CHECK(got == fd, "the received socket took the closed number (%d, %d)", got, fd);
	CHECK(is_own_v6(got), "the received socket is AF_INET6 [::1]");
	close(got);
	close(v6);
	close(sv[0]);
	close(sv[1]);
}

/* debug_fd returns the number of this process's fd open on path, or -1. */
static int debug_fd(const char *path)
{
	char link[64], target[PATH_MAX];

	for (int fd = 0; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, path) == 0)
				return fd;
		}
	}
	return -1;
}

/*
 * case_debugfd DEBUG-FILE OWN-FILE HOW: the library's debug file (at
 * TNAT64_DEBUG=2) is closed past the hooks (HOW: closefrom, or raw for a
 * raw close) and the program opens OWN-FILE, which takes its number. The
 * library logs on (a socket, a sendto) but never into the program's file:
 * the file holds exactly what the program wrote.
 */
static void case_debugfd(int argc, char **argv)
{
	struct sockaddr_in to = sin4("127.0.0.1", 9);
	int s = converted(), d = debug_fd(argv[0]), own, u;
	char buf[64];
	ssize_t n;

	(void)argc;
	CHECK(d >= 0, "the library has %s open", argv[0]);
	close(s);
	if (strcmp(argv[2], "closefrom") == 0)
		closefrom(d);
	else
		syscall(SYS_close, d);
	own = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(own == d, "the program's file took the debug file's number (%d, %d)", own, d);
	u = converted();
	sendto(u, "q", 1, 0, (struct sockaddr *)&to, sizeof to);
	close(u);
	CHECK(write(own, "mine\n", 5) == 5, "write");
	n = pread(own, buf, sizeof buf, 0);
	CHECK(n == 5 && memcmp(buf, "mine\n", 5) == 0, "the program's file holds only its own 5 bytes (%zd)", n);
	close(own);
}

/* fill_to puts /dev/null on every free fd below top, so the next new fd is at least top. */
static void fill_to(int top)
{
	int null = open("/dev/null", O_RDONLY);

	for (int fd = null + 1; fd < top; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			dup2(null, fd);
}

/* unfill closes what fill_to opened: every /dev/null from 3 below top. */
static void unfill(int top)
{
	struct stat st, null;

	stat("/dev/null", &null);
	for (int fd = 3; fd < top; fd++)
		if (fstat(fd, &st) == 0 && st.st_rdev == null.st_rdev && S_ISCHR(st.st_mode))
			syscall(SYS_close, fd);
}

/*
 * raise_nofile makes room for fds up to need. Returns 0, or -1 when the
 * hard limit is lower and cannot be raised (no CAP_SYS_RESOURCE).
 */
static int raise_nofile(rlim_t need)
{
	struct rlimit r = { need, need };

	if (setrlimit(RLIMIT_NOFILE, &r) == 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_max < need)
		return -1;
	r.rlim_cur = r.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &r);
}

/*
 * case_highfd DEST BASE: fds at and beyond BASE (the library's fixed table
 * size: 65536, or 1024 in the test build) keep their state: dup2, F_DUPFD
 * and socket() there give converted sockets that connect to an IPv4 DEST
 * through NAT64 and show AF_INET names; accept onto such a number gives a
 * converted connection; closing one forgets it. Exit 3 when the fd limit
 * cannot be raised that far.
 */
static void case_highfd(int argc, char **argv)
{
	int base = atoi(argv[1]), top = 2 * base + 64;
	uint16_t port;
	int lfd = listener6(&port), s, h, f, hs, ls, a, c;
	struct sockaddr_in to = sin4(argv[0], port), p, me = sin4("0.0.0.0", 0);
	socklen_t l = sizeof p;

	(void)argc;
	if (raise_nofile((rlim_t)top + 1000) < 0) {
		fprintf(stderr, "cannot raise RLIMIT_NOFILE to %d\n", top + 1000);
		exit(3);
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	h = dup2(s, base + base / 16);
	CHECK(h == base + base / 16, "dup2 to %d", base + base / 16);
	CHECK(connect(h, (struct sockaddr *)&to, sizeof to) == 0, "connect on fd %d (dup2) to %s: %s", h, argv[0],
	      strerror(errno));
	CHECK(getpeername(h, (struct sockaddr *)&p, &l) == 0 && same4(&p, argv[0], port), "getpeername on %d is AF_INET %s",
	      h, argv[0]);
	close(s);
	close(h);
	CHECK(real_domain(h) == -1, "closed");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(dup2(s, h) == h && real_domain(h) == AF_INET6, "a converted UDP socket on the number again");
	close(s);
	l = sizeof p;
	CHECK(getsockname(h, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "its name is AF_INET");
	close(h);

	s = socket(AF_INET, SOCK_STREAM, 0);
	f = fcntl(s, F_DUPFD, 2 * base);
	CHECK(f >= 2 * base, "F_DUPFD %d (%d)", 2 * base, f);
	close(s);
	CHECK(connect(f, (struct sockaddr *)&to, sizeof to) == 0, "connect on an F_DUPFD fd >= %d: %s", 2 * base,
	      strerror(errno));
	l = sizeof p;
	CHECK(getsockname(f, (struct sockaddr *)&p, &l) == 0 && p.sin_family == AF_INET, "getsockname AF_INET");
	close(f);

	/* socket() and accept() returning numbers above the table. */
	fill_to(base + 64);
	hs = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(hs >= base + 64 && real_domain(hs) == AF_INET6, "socket(AF_INET) at %d is converted", hs);
	CHECK(connect(hs, (struct sockaddr *)&to, sizeof to) == 0, "connect on %d: %s", hs, strerror(errno));
	l = sizeof p;
	CHECK(getpeername(hs, (struct sockaddr *)&p, &l) == 0 && same4(&p, argv[0], port), "peer AF_INET %s", argv[0]);
	close(hs);

	ls = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(ls, (struct sockaddr *)&me, sizeof me) == 0 && listen(ls, 4) == 0, "listener on 0.0.0.0 at %d", ls);
	l = sizeof me;
	getsockname(ls, (struct sockaddr *)&me, &l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	to = sin4("127.0.0.1", ntohs(me.sin_port));
	CHECK(connect(c, (struct sockaddr *)&to, sizeof to) == 0, "connect to the listener: %s", strerror(errno));
	l = sizeof p;
	a = accept(ls, (struct sockaddr *)&p, &l);
	CHECK(a >= base + 64 && l == sizeof p && p.sin_family == AF_INET && p.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "accept at %d: the peer is AF_INET 127.0.0.1", a);
	l = sizeof p;
	CHECK(getsockname(a, (struct sockaddr *)&p, &l) == 0 && same4(&p, "127.0.0.1", ntohs(me.sin_port)),
	      "accepted socket's name is AF_INET 127.0.0.1");
	close(a);
	close(c);
	close(ls);
	unfill(base + 64);
	close(lfd);
}

/* raw_bound makes a socket of type bound to 127.0.0.1:0 with raw system calls (a listener for TCP) and gives its port. */
static int raw_bound(int type, uint16_t *port)
{
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	socklen_t l = sizeof a;
	int fd = (int)syscall(SYS_socket, AF_INET, type, 0);

	if (fd < 0 || syscall(SYS_bind, fd, &a, sizeof a) < 0 ||
	    (type == SOCK_STREAM && syscall(SYS_listen, fd, 8) < 0) || syscall(SYS_getsockname, fd, &a, &l) < 0) {
		perror("raw_bound");
		exit(2);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/*
 * stale returns a plain AF_INET socket of type, made with a raw system
 * call on the number of a converted socket closed with a raw close: the
 * table still says converted, the kernel holds another socket.
 */
static int stale(int type)
{
	int fd = socket(AF_INET, type, 0), n;

	if (fd < 0 || real_domain(fd) != AF_INET6) {
		fprintf(stderr, "socket(AF_INET) was not converted\n");
		exit(2);
	}
	syscall(SYS_close, fd);
	n = (int)syscall(SYS_socket, AF_INET, type, 0);
	if (n != fd) {
		fprintf(stderr, "the number did not come back (%d, %d)\n", n, fd);
		exit(2);
	}
	return n;
}

/*
 * case_rawreuse: on a number whose converted socket was closed past the
 * hooks, a plain AF_INET socket made past them connects, binds, sends
 * with sendto and with sendmsg as the program asked, and getsockname
 * shows it as it is.
 */
static void case_rawreuse(int argc, char **argv)
{
	uint16_t tport, uport;
	int lt = raw_bound(SOCK_STREAM, &tport), lu = raw_bound(SOCK_DGRAM, &uport), fd;
	struct sockaddr_in t = sin4("127.0.0.1", tport), u = sin4("127.0.0.1", uport), me = sin4("127.0.0.1", 0), got;
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr m = { .msg_name = &u, .msg_namelen = sizeof u, .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t l = sizeof got;
	char b[4];

	(void)argc;
	(void)argv;
	fd = stale(SOCK_STREAM);
	CHECK(connect(fd, (struct sockaddr *)&t, sizeof t) == 0, "connect: %s", strerror(errno));
	CHECK(peer_is(fd, "127.0.0.1", tport), "getpeername is 127.0.0.1:%u", tport);
	close(fd);
	fd = stale(SOCK_DGRAM);
	CHECK(bind(fd, (struct sockaddr *)&me, sizeof me) == 0, "bind: %s", strerror(errno));
	memset(&got, 0, sizeof got);
	CHECK(getsockname(fd, (struct sockaddr *)&got, &l) == 0 && got.sin_family == AF_INET &&
		      got.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "getsockname is AF_INET 127.0.0.1");
	close(fd);
	fd = stale(SOCK_DGRAM);
	CHECK(sendto(fd, "s", 1, 0, (struct sockaddr *)&u, sizeof u) == 1, "sendto: %s", strerror(errno));
	close(fd);
	fd = stale(SOCK_DGRAM);
	CHECK(sendmsg(fd, &m, 0) == 1, "sendmsg: %s", strerror(errno));
	close(fd);
	CHECK(readable(lu, 1000) && recv(lu, b, sizeof b, 0) == 1 && b[0] == 's', "the sendto datagram arrived");
	CHECK(readable(lu, 1000) && recv(lu, b, sizeof b, 0) == 1 && b[0] == 'm', "the sendmsg datagram arrived");
	close(lu);
	close(lt);
}

static const struct t_case cases[] = {
	{ "closefrom", 0, case_closefrom },
	{ "fclose", 0, case_fclose },
	{ "received", 0, case_received },
	{ "rawreuse", 0, case_rawreuse },
	{ "debugfd", 3, case_debugfd },
	{ "highfd", 2, case_highfd },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
