/*
 * Robustness tests: fork while another thread is inside a hook, vfork +
 * exec and posix_spawn children, a converted socket passed with
 * SCM_RIGHTS, a raw syscall(SYS_connect) and io_uring's connect, plain
 * IPv4 where AF_INET6 is unavailable, and a stress of 32 threads × 1000
 * connects. Run by run.sh
 * (under LD_PRELOAD=libtnat64.so unless said otherwise) in a network
 * namespace. Usage: robust CASE [ARGS...]; prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/close_range.h>
#include <linux/io_uring.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"
#include "uring.h"

extern char **environ;

/* This program's path as run (not /proc/self/exe: under valgrind that is valgrind's). */
static const char *self;

/* count_fds returns how many descriptors this process has open. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

struct blocked {
	const char *ip;
	uint16_t port;
	int ok;
};

/* blocked_connect connects in a thread (it sits inside the hook a while). */
static void *blocked_connect(void *arg)
{
	struct blocked *b = arg;
	int fd = connect4(b->ip, b->port);

	b->ok = fd >= 0 && peer_is(fd, b->ip, b->port);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * case_forkhook DEST [SIGNAL]: a thread connects to DEST, which keeps it
 * inside the connect hook (a NAT64 attempt towards a dead neighbour, or a
 * discovery query nobody answers) while the main thread forks (after 50 ms,
 * or once the file SIGNAL exists). The child connects to DEST and to
 * 127.0.0.1 within a bounded time: nothing the thread held blocks it (a
 * discovery in progress is taken over). The thread's connect completes in
 * the parent.
 */
static void case_forkhook(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), status = -1;
	struct blocked b = { .ip = argv[0], .port = port };
	struct timespec ts = { 0, 50 * 1000000 };
	pthread_t th;
	pid_t pid;

	CHECK(pthread_create(&th, NULL, blocked_connect, &b) == 0, "thread");
	nanosleep(&ts, NULL);
	/* SIGNAL: a file that appears once the thread is waiting (its DNS query was received). */
	for (int i = 0; argc > 1 && i < 100 && access(argv[1], F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	pid = fork();
	if (pid == 0) {
		struct timespec t0;
		int fd, lo;
		long ms;

		alarm(20);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fd = connect4(argv[0], port);
		lo = connect4("127.0.0.1", port);
		ms = ms_since(&t0);
		if (fd < 0 || !peer_is(fd, argv[0], port))
			_exit(1);
		if (lo < 0 || !peer_is(lo, "127.0.0.1", port))
			_exit(2);
		_exit(ms < 5000 ? 0 : 3);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "child forked mid-hook connects (status %#x)", status);
	pthread_join(th, NULL);
	CHECK(b.ok, "the thread's connect completes in the parent");
	close(lfd);
}

/*
 * case_child DEST PORT: run as a new program by case_spawn; connects to
 * DEST (reachable through NAT64 only) and sees it as its IPv4 peer. Exits
 * at once, without the totals: 0 when the library works in it.
 */
static void case_child(int argc, char **argv)
{
	uint16_t port = (uint16_t)atoi(argv[1]);
	int fd = connect4(argv[0], port);

	(void)argc;
	exit(fd >= 0 && peer_is(fd, argv[0], port) ? 0 : 1);
}

/*
 * case_spawn DEST: children started by vfork + execve and by posix_spawn
 * (glibc uses clone(CLONE_VM|CLONE_VFORK)) run under the library: they
 * connect to DEST through NAT64.
 */
static void case_spawn(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), status = -1;
	char ps[16];
	char *args[] = { (char *)self, "child", argv[0], ps, NULL };
	pid_t pid;

	(void)argc;
	snprintf(ps, sizeof ps, "%u", port);
	pid = vfork();
	if (pid == 0) {
		execve(self, args, environ);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "vfork + execve child connects through NAT64 (status %#x)", status);
	status = -1;
	CHECK(posix_spawn(&pid, self, NULL, NULL, args, environ) == 0 &&
		      waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "posix_spawn child connects through NAT64 (status %#x)", status);
	close(lfd);
}

/* One byte and room for one descriptor: what send_fd and recv_fd exchange. */
struct fd_msg {
	char c;
	struct iovec io;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr m;
};

/* fd_msg_init points m's header at its own byte and control buffer. */
static void fd_msg_init(struct fd_msg *m)
{
	memset(m, 0, sizeof *m);
	m->io = (struct iovec){ &m->c, 1 };
	m->m = (struct msghdr){ .msg_iov = &m->io, .msg_iovlen = 1, .msg_control = m->ctl.b,
				.msg_controllen = sizeof m->ctl.b };
}

/* send_fd passes fd over the unix socket u; 0 or -1. */
static int send_fd(int u, int fd)
{
	struct fd_msg m;
	struct cmsghdr *cm;

	fd_msg_init(&m);
	cm = CMSG_FIRSTHDR(&m.m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(u, &m.m, 0) == 1 ? 0 : -1;
}

/* recv_fd receives a descriptor from the unix socket u; it or -1. */
static int recv_fd(int u)
{
	struct fd_msg m;
	struct cmsghdr *cm;
	int fd = -1;

	fd_msg_init(&m);
	if (recvmsg(u, &m.m, 0) != 1 || (cm = CMSG_FIRSTHDR(&m.m)) == NULL || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

/* works_as checks, as a receiver of fd would: AF_INET peer ip:port, AF_INET name, data both ways with the acceptor a. */
static int works_as(int fd, const char *ip, uint16_t port, int a)
{
	struct sockaddr_in n;
	socklen_t l = sizeof n;
	int d = -1;
	char buf[4];

	if (!peer_is(fd, ip, port) || getsockname(fd, (struct sockaddr *)&n, &l) != 0 || n.sin_family != AF_INET ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &(socklen_t){ sizeof d }) != 0 || d != AF_INET)
		return 0;
	return write(fd, "ping", 4) == 4 && read(a, buf, 4) == 4 && write(a, "pong", 4) == 4 &&
	       read(fd, buf, 4) == 4 && memcmp(buf, "pong", 4) == 0;
}

/*
 * case_scm DEST: a socket connected through NAT64 (and one over IPv4 to
 * 127.0.0.1) passed with SCM_RIGHTS works in the receiver as an IPv4
 * socket: in this process (a new fd number) and in a child forked before
 * the socket existed.
 */
static void case_scm(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), sp[2], sq[2], status = -1;
	const char *ips[] = { argv[0], "127.0.0.1" };
	pid_t pid;

	(void)argc;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0, "socketpair");
	pid = fork();
	if (pid == 0) {
		int ok = 1;

		close(sp[0]);
		for (int i = 0; i < 2; i++) {
			int fd = recv_fd(sp[1]), a = recv_fd(sp[1]);

			ok &= fd >= 0 && a >= 0 && works_as(fd, ips[i], port, a);
		}
		_exit(ok ? 0 : 1);
	}
	close(sp[1]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sq) == 0, "socketpair");
	for (int i = 0; i < 2; i++) {
		int fd = connect4(ips[i], port), a = accept(lfd, NULL, NULL), got = -1;

		CHECK(fd >= 0 && a >= 0, "connect %s", ips[i]);
		CHECK(real_domain(fd) == AF_INET6, "%s: really AF_INET6 (%d)", ips[i], real_domain(fd));
		/* In this process: the received copy has a new number, the original is closed. */
		CHECK(send_fd(sq[0], fd) == 0 && (got = recv_fd(sq[1])) >= 0 && got != fd, "%s: passed to itself", ips[i]);
		close(fd);
		CHECK(got >= 0 && works_as(got, ips[i], port, a), "%s: the received copy works as IPv4", ips[i]);
		CHECK(send_fd(sp[0], got) == 0 && send_fd(sp[0], a) == 0, "%s: sent to the child", ips[i]);
		close(got);
		close(a);
	}
	close(sq[0]);
	close(sq[1]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child uses the received sockets as IPv4 ones (status %#x)", status);
	close(sp[0]);
	close(lfd);
}

/*
 * case_iouring DEST: io_uring's IORING_OP_CONNECT is made by the kernel, past
 * every hook. On a TCP socket tnat64 converted (AF_INET6 underneath) a
 * sockaddr_in fails with EINVAL, even to 127.0.0.1; the same operation on a
 * socket that really is AF_INET (made with a raw system call) connects. A
 * libc connect() afterwards works. A UDP socket takes the sockaddr_in, over
 * IPv4 only: to DEST (no IPv4 route, NAT64 only) ENETUNREACH.
 */
static void case_iouring(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	int plain = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0), r;
	struct sockaddr_in lo = sin4("127.0.0.1", port), far = sin4(argv[0], port);

	(void)argc;
	r = uring_connect(plain, &lo, sizeof lo);
	if (r == 1) {
		fprintf(stderr, "skip: no io_uring here (%s)\n", strerror(errno));
		goto out;
	}
	CHECK(r == 0, "io_uring connect of a real AF_INET socket to 127.0.0.1: %s", strerror(-r));
	CHECK(real_domain(t) == AF_INET6, "converted at socket()");
	r = uring_connect(t, &lo, sizeof lo);
	CHECK(r == -EINVAL, "io_uring connect of a converted TCP socket to 127.0.0.1: %d (%s), want -EINVAL", r,
	      strerror(-r));
	CHECK(connect(t, (struct sockaddr *)&lo, sizeof lo) == 0 && peer_is(t, "127.0.0.1", port),
	      "connect() afterwards works: %s", strerror(errno));
	r = uring_connect(u, &lo, sizeof lo);
	CHECK(r == 0 && peer_is(u, "127.0.0.1", port), "io_uring connect of a converted UDP socket to 127.0.0.1: %d", r);
	r = uring_connect(u, &far, sizeof far);
	CHECK(r == -ENETUNREACH, "io_uring connect of a UDP socket to %s: %d (%s), no NAT64", argv[0], r, strerror(-r));
out:
	close(plain);
	close(t);
	close(u);
	close(lfd);
}

/*
 * case_rawconnect DEST: syscall(SYS_connect) bypasses the library. Under
 * tnat64 the AF_INET socket is really AF_INET6, so the kernel decides: a
 * TCP socket refuses the sockaddr_in (EINVAL, too short for AF_INET6); a
 * UDP socket accepts it (the IPv6 stack hands AF_INET to IPv4). Afterwards
 * the library's connect() on the same TCP socket still works.
 */
static void case_rawconnect(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in lo = sin4("127.0.0.1", port), far = sin4(argv[0], port);
	long r;

	(void)argc;
	CHECK(real_domain(t) == AF_INET6 && real_domain(u) == AF_INET6, "converted at socket()");
	errno = 0;
	r = syscall(SYS_connect, t, &lo, sizeof lo);
	CHECK(r == -1 && errno == EINVAL, "raw TCP connect: %ld, %s", r, strerror(errno));
	CHECK(connect(t, (struct sockaddr *)&lo, sizeof lo) == 0 && peer_is(t, "127.0.0.1", port),
	      "connect() afterwards works: %s", strerror(errno));
	errno = 0;
	r = syscall(SYS_connect, u, &lo, sizeof lo);
	CHECK(r == 0, "raw UDP connect to 127.0.0.1: %ld, %s", r, strerror(errno));
	CHECK(peer_is(u, "127.0.0.1", port), "raw UDP connect: IPv4 peer");
	{
		int u2 = socket(AF_INET, SOCK_DGRAM, 0), rx = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in at = sin4("127.0.0.1", 0);
		socklen_t al = sizeof at;
		char c = 0;

		CHECK(bind(rx, (struct sockaddr *)&at, sizeof at) == 0 && getsockname(rx, (struct sockaddr *)&at, &al) == 0,
		      "UDP receiver");
		r = syscall(SYS_sendto, u2, "x", 1, 0, &at, sizeof at);
		CHECK(r == 1 && recv(rx, &c, 1, 0) == 1 && c == 'x', "raw UDP sendto to 127.0.0.1: %ld, %s", r, strerror(errno));
		close(u2);
		close(rx);
	}
	errno = 0;
	r = syscall(SYS_connect, u, &far, sizeof far);
	CHECK(r == -1 && errno == ENETUNREACH, "raw UDP connect to %s: no NAT64 (%ld, %s)", argv[0], r, strerror(errno));
	close(t);
	close(u);
	close(lfd);
}

/*
 * case_noinet6 DEST: AF_INET6 sockets are unavailable (a seccomp filter,
 * run.sh's noinet6 launcher) or unusable: TCP and UDP on 127.0.0.1 work as
 * plain IPv4, a server bound to 0.0.0.0 too, and DEST (no IPv4 route) fails
 * with ENETUNREACH, as without tnat64. SANDBOX set: socket(AF_INET6) fails.
 */
static void case_noinet6(int argc, char **argv)
{
	struct sockaddr_in a = sin4("127.0.0.1", 0), p, far = sin4(argv[0], 80);
	socklen_t l = sizeof a;
	int ls, c, s, u1, u2, d = -1;
	char buf[8];

	if (argc > 1 && strcmp(argv[1], "sandbox") == 0) {
		errno = 0;
		s = socket(AF_INET6, SOCK_STREAM, 0);
		CHECK(s == -1 && errno == EAFNOSUPPORT, "sandbox: socket(AF_INET6) %d %s", s, strerror(errno));
	}
	for (int any = 0; any < 2; any++) {
		struct sockaddr_in b = sin4(any ? "0.0.0.0" : "127.0.0.1", 0);

		ls = socket(AF_INET, SOCK_STREAM, 0);
		l = sizeof a;
		CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&b, sizeof b) == 0 && listen(ls, 4) == 0 &&
			      getsockname(ls, (struct sockaddr *)&a, &l) == 0 && a.sin_family == AF_INET,
		      "TCP listener %s: %s", any ? "0.0.0.0" : "127.0.0.1", strerror(errno));
		c = connect4("127.0.0.1", ntohs(a.sin_port));
		l = sizeof p;
		s = accept(ls, (struct sockaddr *)&p, &l);
		CHECK(c >= 0 && s >= 0 && same4(&p, "127.0.0.1", ntohs(p.sin_port)), "TCP accept, IPv4 peer");
		CHECK(c >= 0 && peer_is(c, "127.0.0.1", ntohs(a.sin_port)), "TCP client peer");
		l = sizeof d;
		CHECK(getsockopt(c, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0 && d == AF_INET, "SO_DOMAIN %d", d);
		CHECK(write(c, "ping", 4) == 4 && read(s, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0, "TCP data");
		close(c);
		close(s);
		close(ls);
	}
	u1 = socket(AF_INET, SOCK_DGRAM, 0);
	u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a = sin4("127.0.0.1", 0);
	l = sizeof a;
	CHECK(bind(u1, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(u1, (struct sockaddr *)&a, &l) == 0,
	      "UDP bind 127.0.0.1");
	CHECK(sendto(u2, "ping", 4, 0, (struct sockaddr *)&a, sizeof a) == 4, "UDP sendto: %s", strerror(errno));
	l = sizeof p;
	CHECK(recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&p, &l) == 4 && l == sizeof p &&
		      same4(&p, "127.0.0.1", ntohs(p.sin_port)),
	      "UDP recvfrom: IPv4 peer");
	errno = 0;
	CHECK(sendto(u2, "x", 1, 0, (struct sockaddr *)&far, sizeof far) == -1 && errno == ENETUNREACH,
	      "UDP sendto %s: %s", argv[0], strerror(errno));
	errno = 0;
	c = connect4(argv[0], 80);
	CHECK(c == -1 && errno == ENETUNREACH, "TCP connect %s: %s", argv[0], strerror(errno));
	close(u1);
	close(u2);
}

static atomic_int stress_fail, stress_err, accepted;
static atomic_bool stress_stop;
static int stress_lfd, stress_n;
static uint16_t stress_port;
static const char *stress_dest;

/* acceptor accepts and closes connections until stress_stop. */
static void *acceptor(void *arg)
{
	(void)arg;
	while (!atomic_load(&stress_stop)) {
		struct pollfd p = { .fd = stress_lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 100) == 1 && (fd = accept(stress_lfd, NULL, NULL)) >= 0) {
			atomic_fetch_add(&accepted, 1);
			close(fd);
		}
	}
	return NULL;
}

/* worker connects stress_n times, alternately through NAT64 and to 127.0.0.1, checks the peer, resets. */
static void *worker(void *arg)
{
	struct linger lg = { 1, 0 };

	(void)arg;
	for (int i = 0; i < stress_n; i++) {
		const char *ip = i % 2 ? "127.0.0.1" : stress_dest;
		int fd = connect4(ip, stress_port);

		if (fd < 0) {
			atomic_fetch_add(&stress_fail, 1);
			atomic_store(&stress_err, errno);
			continue;
		}
		if (!peer_is(fd, ip, stress_port))
			atomic_fetch_add(&stress_fail, 1);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg); /* no TIME_WAIT pile-up */
		close(fd);
	}
	return NULL;
}

/* fd_list writes the names in /proc/self/fd (minus the directory's own) to out. */
static void fd_list(char *out, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t k = 0;
	int me = d ? dirfd(d) : -1;

	out[0] = 0;
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != me && k < n)
			k += (size_t)snprintf(out + k, n - k, "%s ", e->d_name);
	if (d)
		closedir(d);
}

/*
 * case_stress DEST THREADS N: THREADS threads × N connects each, half to
 * DEST through NAT64, half to 127.0.0.1: all succeed with the right IPv4
 * peer, and the process has the same descriptors afterwards.
 */
static void case_stress(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 32, before, after;
	pthread_t th[256], acc;
	char fb[4096], fa[4096];
	struct timespec t0;

	if (threads > 256)
		threads = 256;
	stress_dest = argv[0];
	stress_n = argc > 2 ? atoi(argv[2]) : 1000;
	before = count_fds();
	fd_list(fb, sizeof fb);
	stress_lfd = listener6(&stress_port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&acc, NULL, acceptor, NULL);
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	fprintf(stderr, "stress: %d connects in %ld ms\n", threads * stress_n, ms_since(&t0));
	atomic_store(&stress_stop, 1);
	pthread_join(acc, NULL);
	close(stress_lfd);
	after = count_fds();
	fd_list(fa, sizeof fa);
	CHECK(atomic_load(&stress_fail) == 0, "%d of %d connects failed (last: %s)", atomic_load(&stress_fail),
	      threads * stress_n, strerror(atomic_load(&stress_err)));
	CHECK(before == after && strcmp(fb, fa) == 0, "descriptors before: %d [%s], after: %d [%s]", before, fb, after, fa);
}

/* How many of fortified_poll's array it polls: not a constant, so _FORTIFY_SOURCE makes the call __poll_chk. */
nfds_t t_poll_count = 4;

/* fortified_poll polls fd for POLLOUT from a fixed array of 4 (3 unused) up to ms; returns its revents (0: none). */
static int fortified_poll(int fd, int ms)
{
	struct pollfd p[4] = { { .fd = fd, .events = POLLOUT }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };

	return poll(p, t_poll_count, ms) >= 1 ? p[0].revents : 0;
}

/*
 * case_pollchk DEST: as lifecycle's async case, a NAT64 connect that fails
 * after EINPROGRESS (a dead neighbour) falls back to IPv4, seen through
 * glibc's fortified poll (__poll_chk, what programs built with
 * _FORTIFY_SOURCE call): the program sees POLLOUT, never POLLERR.
 */
static void case_pollchk(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), ev, e = -1;
	struct sockaddr_in a = sin4(argv[0], port);
	socklen_t l = sizeof e;
	int status = -1;
	pid_t pid;

	(void)argc;
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == -1 && errno == EINPROGRESS, "in progress: %s", strerror(errno));
	ev = fortified_poll(fd, 5000);
	CHECK(ev == POLLOUT, "__poll_chk: revents %#x", ev);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) == 0 && e == 0, "SO_ERROR %d", e);
	CHECK(peer_is(fd, argv[0], port), "connected to DEST");
	/* The check itself stays: more entries than the array aborts. */
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2); /* glibc's "buffer overflow detected" */
		t_poll_count = 5;
		fortified_poll(fd, 0);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	      "__poll_chk with too short an array aborts (status %#x)", status);
	close(fd);
	close(lfd);
}

int fcntl64(int fd, int cmd, ...);

/*
 * case_dupfd DEST DEST6: the duplicates lib/test/hooks.c does not make. fcntl
 * F_DUPFD and glibc's fcntl64 F_DUPFD_CLOEXEC copy a NAT64 socket's
 * conversion; close_range(CLOSE_RANGE_CLOEXEC) closes nothing and forgets
 * nothing; a dup of a UDP socket sends through NAT64 and shows the reply's
 * sender as DEST (the answer comes from DEST6, its NAT64 address).
 */
static void case_dupfd(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd = connect4(argv[0], port), d, d64, u, du, r6, e;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 }, from6;
	struct sockaddr_in to, p;
	socklen_t l = sizeof a6;
	char c = 0;

	(void)argc;
	d = fcntl(fd, F_DUPFD, 100);
	CHECK(d >= 100 && peer_is(d, argv[0], port), "F_DUPFD converted");
	d64 = fcntl64(fd, F_DUPFD_CLOEXEC, 150);
	CHECK(d64 >= 150 && peer_is(d64, argv[0], port) && (fcntl(d64, F_GETFD) & FD_CLOEXEC), "fcntl64 F_DUPFD_CLOEXEC converted");
	CHECK(close_range((unsigned)d, (unsigned)d, CLOSE_RANGE_CLOEXEC) == 0 && (fcntl(d, F_GETFD) & FD_CLOEXEC) &&
		      peer_is(d, argv[0], port),
	      "close_range(CLOSE_RANGE_CLOEXEC) keeps the socket and its state");
	close(fd);
	close(d);
	close(d64);

	/* A genuine IPv6 UDP socket on DEST's NAT64 address answers from it. */
	r6 = socket(AF_INET6, SOCK_DGRAM, 0);
	inet_pton(AF_INET6, argv[1], &a6.sin6_addr);
	CHECK(bind(r6, (struct sockaddr *)&a6, sizeof a6) == 0 && getsockname(r6, (struct sockaddr *)&a6, &l) == 0, "IPv6 UDP");
	u = socket(AF_INET, SOCK_DGRAM, 0);
	du = dup(u);
	close(u);
	setsockopt(r6, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 3, 0 }, sizeof(struct timeval));
	setsockopt(du, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 3, 0 }, sizeof(struct timeval));
	to = sin4(argv[0], ntohs(a6.sin6_port));
	CHECK(sendto(du, "q", 1, 0, (struct sockaddr *)&to, sizeof to) == 1, "dup'd UDP sendto %s: %s", argv[0], strerror(errno));
	l = sizeof from6;
	CHECK(recvfrom(r6, &c, 1, 0, (struct sockaddr *)&from6, &l) == 1 &&
		      sendto(r6, "r", 1, 0, (struct sockaddr *)&from6, l) == 1,
	      "reached the NAT64 address, answered");
	l = sizeof p;
	e = (int)recvfrom(du, &c, 1, 0, (struct sockaddr *)&p, &l);
	CHECK(e == 1 && c == 'r' && l == sizeof p && same4(&p, argv[0], ntohs(a6.sin6_port)), "dup'd UDP: reply from %s", argv[0]);
	close(du);
	close(r6);
	close(lfd);
}

static const struct t_case cases[] = {
	{ "forkhook", 1, case_forkhook },
	{ "child", 2, case_child },
	{ "spawn", 1, case_spawn },
	{ "scm", 1, case_scm },
	{ "rawconnect", 1, case_rawconnect },
	{ "iouring", 1, case_iouring },
	{ "noinet6", 1, case_noinet6 },
	{ "dupfd", 2, case_dupfd },
	{ "pollchk", 1, case_pollchk },
	{ "stress", 1, case_stress },
	{ 0 },
};

int main(int argc, char **argv)
{
	self = argv[0];
	return t_main(argc, argv, cases);
}
