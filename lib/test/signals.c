/*
 * Signals and non-local exits: a connect abandoned by siglongjmp from a
 * SIGALRM handler while the library discovers the prefix, hooks called
 * from a signal handler while the interrupted code is inside the library,
 * and how long a connect waits for another thread's discovery. Run by
 * run.sh under LD_PRELOAD=libtnat64.so in a network namespace. Usage:
 * signals CASE [ARGS...]; prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

/* seen_as accepts the next connection on lfd (5 s) and returns 1 when the kernel gave it the local address want. */
static int seen_as(int lfd, const char *want)
{
	struct sockaddr_in6 me;
	socklen_t l = sizeof me;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	uint8_t w[16];
	int fd, ok;

	if (poll(&p, 1, 5000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0)
		return 0;
	ok = getsockname(fd, (struct sockaddr *)&me, &l) == 0 && inet_pton(AF_INET6, want, w) == 1 &&
	     memcmp(&me.sin6_addr, w, 16) == 0;
	close(fd);
	return ok;
}

/* A connect made in a thread of its own: what it got and how long it took. */
struct timed {
	const char *ip;
	uint16_t port;
	int ok, err;
	long ms;
};

static void *timed_connect(void *arg)
{
	struct timed *t = arg;
	struct timespec t0;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = connect4(t->ip, t->port);
	t->err = fd < 0 ? errno : 0;
	t->ms = ms_since(&t0);
	t->ok = fd >= 0 && peer_is(fd, t->ip, t->port);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static sigjmp_buf jump;
static volatile sig_atomic_t jumped;

static void on_alarm(int sig)
{
	(void)sig;
	jumped = 1;
	siglongjmp(jump, 1);
}

/*
 * case_longjmp DEST SYNTH WHO: the classic connect timeout, alarm() and a
 * SIGALRM handler that siglongjmps out of connect, fires while the library
 * discovers the prefix (the DNS64 answers after 1.5 s, the alarm comes after
 * 1 s). Nothing of the abandoned hook may remain. WHO "self": the same
 * thread's next socket is converted and its connect to DEST goes through
 * NAT64 (the kernel sees SYNTH). WHO "other": first another thread's
 * connect does, without waiting out the abandoned discovery; then the
 * first thread's.
 */
static void case_longjmp(int argc, char **argv)
{
	uint16_t port;
	int lfd = listener6(&port), fd;
	struct sockaddr_in a = sin4(argv[0], port);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timespec t0;
	volatile int first;
	long ms;

	(void)argc;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	first = socket(AF_INET, SOCK_STREAM, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sigsetjmp(jump, 1) == 0) {
		alarm(1);
		connect(first, (struct sockaddr *)&a, sizeof a);
		alarm(0);
	}
	ms = ms_since(&t0);
	CHECK(jumped && ms >= 900 && ms < 1450, "the alarm ended the connect by siglongjmp (%d, after %ld ms)",
	      (int)jumped, ms);
	close(first);
	signal(SIGALRM, SIG_DFL);
	if (strcmp(argv[2], "other") == 0) {
		struct timed t = { .ip = argv[0], .port = port };
		pthread_t th;

		pthread_create(&th, NULL, timed_connect, &t);
		pthread_join(th, NULL);
		fprintf(stderr, "longjmp: the other thread's connect: %s after %ld ms\n", t.ok ? "ok" : strerror(t.err), t.ms);
		CHECK(t.ok, "another thread connects through NAT64 (%ld ms): %s", t.ms, strerror(t.err));
		CHECK(t.ms < 6000, "another thread does not wait out the abandoned discovery: %ld ms", t.ms);
		CHECK(seen_as(lfd, argv[1]), "the kernel saw %s", argv[1]);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(real_domain(fd) == AF_INET6, "the thread's next socket is converted (family %d)", real_domain(fd));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && peer_is(fd, argv[0], port),
	      "the thread connects through NAT64 again: %s", strerror(errno));
	ms = ms_since(&t0);
	fprintf(stderr, "longjmp: the thread's own connect again: %ld ms\n", ms);
	CHECK(ms < 6000, "within 6 s: %ld ms", ms);
	CHECK(seen_as(lfd, argv[1]), "the kernel saw %s", argv[1]);
	close(fd);
	close(lfd);
}

/* What the SIGUSR1 handler uses and counts (set before the signals start). */
static int h_tcp, h_udp;
static struct sockaddr_in h_peer, h_to;
static atomic_int h_calls, h_bad_peer, h_bad_send, h_send_errno;

/*
 * on_usr1: a signal handler using the converted sockets, as a program's
 * handler may (both calls are async-signal-safe): the peer of a NAT64 TCP
 * socket must read as its IPv4 address, a datagram to a NAT64 destination
 * must be sent.
 */
static void on_usr1(int sig)
{
	int e = errno;
	struct sockaddr_in p;
	socklen_t l = sizeof p;

	(void)sig;
	atomic_fetch_add(&h_calls, 1);
	if (getpeername(h_tcp, (struct sockaddr *)&p, &l) != 0 || l != sizeof p || p.sin_family != AF_INET ||
	    p.sin_addr.s_addr != h_peer.sin_addr.s_addr || p.sin_port != h_peer.sin_port)
		atomic_fetch_add(&h_bad_peer, 1);
	if (sendto(h_udp, "s", 1, 0, (struct sockaddr *)&h_to, sizeof h_to) != 1) {
		atomic_fetch_add(&h_bad_send, 1);
		atomic_store(&h_send_errno, errno);
	}
	errno = e;
}

static atomic_int signalling = 1;

/* signaller sends SIGUSR1 to the thread arg every 100 µs, 3000 times. */
static void *signaller(void *arg)
{
	pthread_t to = *(pthread_t *)arg;
	struct timespec ts = { 0, 100 * 1000 };

	for (int i = 0; i < 3000; i++) {
		pthread_kill(to, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	atomic_store(&signalling, 0);
	return NULL;
}

/*
 * case_handler DEST: while this thread keeps the library busy (connects of
 * a UDP socket to DEST, each one logged with TNAT64_DEBUG=1), a signal
 * handler calls getpeername on a NAT64 TCP socket and sendto a NAT64
 * destination, thousands of times: every one is translated.
 */
static void case_handler(int argc, char **argv)
{
	uint16_t port, uport;
	int lfd = listener6(&port), r6 = socket(AF_INET6, SOCK_DGRAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), bad = 0;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in busy;
	struct sigaction sa = { .sa_handler = on_usr1 };
	socklen_t l = sizeof a6;
	pthread_t me = pthread_self(), th;
	long loops = 0;

	(void)argc;
	CHECK(bind(r6, (struct sockaddr *)&a6, sizeof a6) == 0 && getsockname(r6, (struct sockaddr *)&a6, &l) == 0,
	      "IPv6 UDP receiver");
	uport = ntohs(a6.sin6_port);
	h_tcp = connect4(argv[0], port);
	CHECK(h_tcp >= 0 && peer_is(h_tcp, argv[0], port), "NAT64 TCP socket: %s", strerror(errno));
	h_peer = sin4(argv[0], port);
	h_to = sin4(argv[0], uport);
	h_udp = socket(AF_INET, SOCK_DGRAM, 0);
	busy = sin4(argv[0], uport);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&th, NULL, signaller, &me);
	while (atomic_load(&signalling)) {
		if (connect(u, (struct sockaddr *)&busy, sizeof busy) != 0)
			bad++;
		loops++;
	}
	pthread_join(th, NULL);
	signal(SIGUSR1, SIG_IGN);
	fprintf(stderr, "handler: %d calls during %ld connects; getpeername wrong %d, sendto failed %d\n",
		atomic_load(&h_calls), loops, atomic_load(&h_bad_peer), atomic_load(&h_bad_send));
	CHECK(bad == 0, "%d of %ld connects failed", bad, loops);
	CHECK(atomic_load(&h_calls) >= 500, "the handler ran %d times", atomic_load(&h_calls));
	CHECK(atomic_load(&h_bad_peer) == 0, "getpeername in the handler: %d of %d not the IPv4 peer",
	      atomic_load(&h_bad_peer), atomic_load(&h_calls));
	CHECK(atomic_load(&h_bad_send) == 0, "sendto in the handler: %d of %d failed (%s)", atomic_load(&h_bad_send),
	      atomic_load(&h_calls), strerror(atomic_load(&h_send_errno)));
	close(u);
	close(h_udp);
	close(h_tcp);
	close(r6);
	close(lfd);
}

/*
 * case_waitbound DEST: no prefix is known and the three nameservers never
 * answer, so one thread's discovery takes 12 s. A second thread's connect
 * to DEST waits for it at most 6 s in all (DESIGN: "other threads wait for
 * it at most 6 s"), however often the connect asks (before and after its
 * IPv4 attempt), and then fails as without a prefix: ENETUNREACH.
 */
static void case_waitbound(int argc, char **argv)
{
	struct timed a = { .ip = argv[0], .port = 80 }, b = { .ip = argv[0], .port = 80 };
	struct timespec ts = { 0, 300 * 1000000 };
	pthread_t ta, tb;

	(void)argc;
	pthread_create(&ta, NULL, timed_connect, &a);
	nanosleep(&ts, NULL);
	pthread_create(&tb, NULL, timed_connect, &b);
	pthread_join(tb, NULL);
	pthread_join(ta, NULL);
	fprintf(stderr, "waitbound: discovering thread %ld ms, waiting thread %ld ms\n", a.ms, b.ms);
	CHECK(!b.ok && b.err == ENETUNREACH, "the waiting thread: ENETUNREACH (%s)", strerror(b.err));
	CHECK(b.ms < 7000, "the waiting thread's connect took %ld ms (at most 6 s of waiting)", b.ms);
	CHECK(!a.ok && a.err == ENETUNREACH && a.ms >= 9000, "the discovering thread: ENETUNREACH after %ld ms (%s)",
	      a.ms, strerror(a.err));
}

static const struct t_case cases[] = {
	{ "longjmp", 3, case_longjmp },
	{ "handler", 1, case_handler },
	{ "waitbound", 1, case_waitbound },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
