/*
 * An IPv4-only program for test/lab/seccomp.test.ts, built with gcc -static and musl-gcc -static (LD_PRELOAD cannot
 * reach it). It uses nothing but AF_INET sockets and prints what it observes as one JSON line per event.
 *
 *   static-client tcp HOST PORT PAYLOAD [shut]   blocking connect, send PAYLOAD (\r \n unescaped), with `shut`
 *                                                shutdown(SHUT_WR), read to EOF; peer and local address, the bytes
 *   static-client nonblocking HOST PORT PAYLOAD  O_NONBLOCK socket registered with epoll (EPOLLOUT) BEFORE connect:
 *                                                connect's errno, the event, SO_ERROR, O_NONBLOCK still set, then
 *                                                (SO_ERROR 0) the exchange (shutdown(SHUT_WR), read to EOF through
 *                                                epoll)
 *   static-client udp HOST PORT PAYLOAD          sendto, recvfrom: the sender's family and address, the bytes
 *   static-client server PORT COUNT              bind 0.0.0.0:PORT, listen, print {"listening":PORT}, then COUNT
 *                                                times accept(): the peer accept() reports (family, address,
 *                                                addrlen), getpeername of the accepted socket; reads a line and
 *                                                sends it back upper-cased
 *   static-client procs HOST PORT                the echo port from threads and processes at once: 8 threads x 20
 *                                                exchanges; a fork()ed child's own; a socket made before fork()
 *                                                and connected by the child; a vfork() child that execs this
 *                                                program's tcp mode (its own line). Counts of the exchanges that
 *                                                came back whole, with getpeername AF_INET HOST:PORT, and each
 *                                                child's exit status
 *   static-client gather HOST PORT               sendmsg in many pieces, with the destination in msg_name: a UDP
 *                                                datagram of 300 one-byte iovecs and its echo; 1025 iovecs (the
 *                                                kernel's limit is 1024); 100 KiB over TCP in two iovecs, sent to
 *                                                the end (short sends resent), read back from the echo server
 *   static-client sendblock HOST PORT            sendto with the address on a connected TCP socket to the echo
 *                                                port, reading nothing, until a send blocks and SIGALRM (no
 *                                                SA_RESTART) interrupts it; then reads back what the sends said
 *                                                they sent, and whatever else arrives in the next 500 ms: a send
 *                                                that failed with EINTR must not have sent anything
 *   static-client recvblock HOST PORT [HOW]      a UDP recvfrom (HOW msg: recvmsg, mmsg: recvmmsg) that waits and is
 *                                                interrupted by SIGALRM, then a datagram to the echo port: the next
 *                                                receive must get its echo
 *   static-client resolve NAME PORT              the C library's own resolver (getaddrinfo, AF_INET), then a
 *                                                connect to the first address: the address and getpeername
 *   static-client manywait HOST PORT N           N threads each blocked in recvfrom on a UDP socket of its own
 *                                                (nothing comes), then one echo exchange from the main thread:
 *                                                calls waiting in the supervisor do not hold up the others
 *   static-client msgs HOST PORT                 the msghdr calls on AF_INET UDP sockets (HOST:PORT echoes): a
 *                                                blocking recvmsg with a name and IP_PKTINFO on (sender, name
 *                                                length, the IP_PKTINFO message), one with an 8-byte name buffer
 *                                                (the name cut, its full length reported), one that times out
 *                                                (SO_RCVTIMEO); sendmmsg of 6 datagrams, recvmmsg of their echoes
 *                                                with MSG_WAITFORONE and a timeout (senders, payloads), 2 more
 *                                                received by one blocking recvmmsg, a non-blocking one with nothing
 *                                                to read; an fd passed over a socketpair (SCM_RIGHTS) and read
 *   static-client lowat HOST PORT                low-water marks set before use, and read back: TCP_NOTSENT_LOWAT
 *                                                16384 on a TCP socket, then an echo exchange (connect,
 *                                                getpeername AF_INET HOST:PORT, the bytes back); SO_RCVLOWAT 1 on
 *                                                a UDP socket, then sendto and recvfrom (the sender)
 *   static-client tos HOST PORT                  IP_TOS 0xb8 by setsockopt on a UDP socket and a sendto, 0x28 by a
 *                                                sendmsg IP_TOS cmsg, 0x30 by a sendmmsg one, 0x50 by one on the
 *                                                socket connected, 0x48 by setsockopt on a TCP socket and a
 *                                                connect; prints the IP_TOS each socket reads back
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
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
	case EMSGSIZE: return "EMSGSIZE";
	case EINTR: return "EINTR";
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
	if (soerr != 0) { /* the connect failed: nothing to exchange */
		puts("}");
		return 0;
	}
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

/* echo_once exchanges one line with the echo server on fd (a new socket when fd < 0). Returns 1 when it came back whole with the peer as dialled. */
static int echo_once(const struct sockaddr_in *to, int fd, const char *line)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;
	char back[256];
	size_t n = strlen(line), got = 0;
	ssize_t r;
	int ok;

	if (fd < 0 && (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&peer, 0, sizeof peer);
	ok = connect(fd, (const struct sockaddr *)to, sizeof *to) == 0 &&
	     getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && len == sizeof peer &&
	     peer.sin_family == AF_INET && peer.sin_addr.s_addr == to->sin_addr.s_addr &&
	     peer.sin_port == to->sin_port && write(fd, line, n) == (ssize_t)n && shutdown(fd, SHUT_WR) == 0;
	while (ok && (r = read(fd, back + got, sizeof back - got)) > 0)
		got += (size_t)r;
	close(fd);
	return ok && got == n && memcmp(back, line, n) == 0;
}

static struct sockaddr_in procs_to;
static atomic_int procs_ok;

static void *procs_thread(void *arg)
{
	char line[64];

	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof line, "thread %d exchange %d\n", (int)(intptr_t)arg, i);
		atomic_fetch_add(&procs_ok, echo_once(&procs_to, -1, line));
	}
	return NULL;
}

/* The exit status of child pid: its code, or 128 + the signal that ended it, -1 if it could not be waited for. */
static int status_of(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int procs(char **argv)
{
	pthread_t t[8];
	pid_t pid;
	int fd, forked, inherited, vforked;

	procs_to = target(argv[2], argv[3]);
	for (int i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, procs_thread, (void *)(intptr_t)i) != 0)
			fail("pthread_create");
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(echo_once(&procs_to, -1, "forked\n") ? 0 : 1);
	forked = status_of(pid);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		fail("socket");
	if ((pid = fork()) == 0)
		_exit(echo_once(&procs_to, fd, "made before fork\n") ? 0 : 1);
	close(fd);
	inherited = status_of(pid);
	if ((pid = vfork()) == 0) {
		execl("/proc/self/exe", "static-client", "tcp", argv[2], argv[3], "vforked\\n", "shut", (char *)NULL);
		_exit(127);
	}
	vforked = status_of(pid);
	printf("{\"mode\":\"procs\",\"threads\":%d,\"fork\":%d,\"inherited\":%d,\"vfork\":%d}\n",
	       atomic_load(&procs_ok), forked, inherited, vforked);
	return 0;
}

static char gather_out[102400], gather_back[102400];
static struct iovec gather_iov[1025];

/* gather_send sends n bytes of buf to *to through sendmsg with msg_name set, k iovecs at a time, until all went. Returns the bytes sent, or -1. */
static ssize_t gather_send(int fd, const struct sockaddr_in *to, const char *buf, size_t n, size_t k)
{
	size_t done = 0;

	while (done < n) {
		size_t part = (n - done + k - 1) / k, i = 0;
		struct msghdr m = { .msg_name = (void *)to, .msg_namelen = sizeof *to, .msg_iov = gather_iov };
		ssize_t r;

		for (size_t at = done; at < n && i < k; i++, at += part) {
			gather_iov[i].iov_base = (void *)(buf + at);
			gather_iov[i].iov_len = part < n - at ? part : n - at;
		}
		m.msg_iovlen = i;
		if ((r = sendmsg(fd, &m, 0)) < 0)
			return -1;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static int gather(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = gather_iov, .msg_iovlen = 1025 };
	int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t r, sent;
	size_t got = 0;

	if (u < 0 || t < 0)
		fail("socket");
	for (size_t i = 0; i < sizeof gather_out; i++)
		gather_out[i] = (char)('a' + i % 26);
	if (gather_send(u, &to, gather_out, 300, 300) != 300)
		fail("sendmsg");
	memset(&from, 0, sizeof from);
	if ((r = recvfrom(u, gather_back, sizeof gather_back, 0, (struct sockaddr *)&from, &len)) < 0)
		fail("recvfrom");
	fputs("{\"mode\":\"gather\",\"from\":", stdout);
	jaddr(&from, len);
	printf(",\"datagram\":%zd,\"same\":%s", r, r == 300 && memcmp(gather_back, gather_out, 300) == 0 ? "true" : "false");
	for (size_t i = 0; i < 1025; i++)
		gather_iov[i] = (struct iovec){ gather_out, 1 };
	printf(",\"iov1025\":\"%s\"", sendmsg(u, &m, 0) < 0 ? errname(errno) : "sent");
	partial = 1;
	if (connect(t, (struct sockaddr *)&to, sizeof to) < 0)
		fail("connect");
	if ((sent = gather_send(t, &to, gather_out, sizeof gather_out, 2)) < 0)
		fail("sendmsg");
	if (shutdown(t, SHUT_WR) < 0)
		fail("shutdown");
	while (got < sizeof gather_back && (r = read(t, gather_back + got, sizeof gather_back - got)) > 0)
		got += (size_t)r;
	printf(",\"stream\":%zd,\"back\":%zu,\"stream_same\":%s}\n", sent, got,
	       got == sizeof gather_out && memcmp(gather_back, gather_out, got) == 0 ? "true" : "false");
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int sendblock(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: the blocked send fails */
	struct pollfd p;
	size_t sent = 0, got = 0, extra = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), last;
	ssize_t r;

	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0)
		fail("connect");
	sigaction(SIGALRM, &sa, NULL);
	alarm(2);
	while ((r = sendto(fd, gather_out, sizeof gather_out, 0, (struct sockaddr *)&to, sizeof to)) >= 0)
		sent += (size_t)r;
	last = errno;
	while (got < sent && (r = read(fd, gather_back, sizeof gather_back < sent - got ? sizeof gather_back : sent - got)) > 0)
		got += (size_t)r;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (poll(&p, 1, 500) > 0 && (r = read(fd, gather_back, sizeof gather_back)) > 0)
		extra += (size_t)r;
	printf("{\"mode\":\"sendblock\",\"last\":\"%s\",\"blocked\":%s,\"back\":%s,\"extra\":%zu}\n", errname(last),
	       sent > 0 ? "true" : "false", got == sent ? "true" : "false", extra);
	return 0;
}

/* recv_by receives into b (n bytes) with the sender in from (*len) through recvfrom, recvmsg ("msg") or recvmmsg ("mmsg"). */
static ssize_t recv_by(const char *how, int fd, char *b, size_t n, struct sockaddr_storage *from, socklen_t *len)
{
	struct iovec iov = { b, n };
	struct mmsghdr mm = { .msg_hdr = { .msg_name = from, .msg_namelen = *len, .msg_iov = &iov, .msg_iovlen = 1 } };
	ssize_t r;

	if (strcmp(how, "msg") == 0) {
		r = recvmsg(fd, &mm.msg_hdr, 0);
	} else if (strcmp(how, "mmsg") == 0) {
		r = recvmmsg(fd, &mm, 1, 0, NULL);
		r = r == 1 ? (ssize_t)mm.msg_len : r;
	} else {
		return recvfrom(fd, b, n, 0, (struct sockaddr *)from, len);
	}
	*len = mm.msg_hdr.msg_namelen;
	return r;
}

static int recvblock(char **argv, const char *how)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	int u = socket(AF_INET, SOCK_DGRAM, 0), first;
	char b[64];
	ssize_t r;

	if (u < 0)
		fail("socket");
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	r = recv_by(how, u, b, sizeof b, &from, &len);
	first = r < 0 ? errno : 0;
	if (sendto(u, "after", 5, 0, (struct sockaddr *)&to, sizeof to) != 5)
		fail("sendto");
	alarm(3);
	len = sizeof from;
	memset(&from, 0, sizeof from);
	if ((r = recv_by(how, u, b, sizeof b, &from, &len)) < 0)
		fail("recvfrom");
	alarm(0);
	printf("{\"mode\":\"recvblock\",\"first\":\"%s\",\"from\":", errname(first));
	jaddr(&from, len);
	fputs(",\"data\":", stdout);
	jstr(b, (size_t)r);
	puts("}");
	return 0;
}

/* Whether from is the AF_INET address to (sender as dialled). */
static int same_inet(const struct sockaddr_in *from, socklen_t len, const struct sockaddr_in *to)
{
	return len == sizeof *to && from->sin_family == AF_INET && from->sin_port == to->sin_port &&
	       from->sin_addr.s_addr == to->sin_addr.s_addr;
}

#define MSGS 6

/* mmsg_prepare points message i of v at bufs[i] and names[i] (NULL: no name), size room each. */
static void mmsg_prepare(struct mmsghdr *v, struct iovec *iov, char (*bufs)[16], struct sockaddr_in *names, int n)
{
	memset(v, 0, (size_t)n * sizeof *v);
	for (int i = 0; i < n; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_hdr.msg_name = &names[i];
		v[i].msg_hdr.msg_namelen = sizeof names[i];
	}
}

static int msgs(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]), froms[MSGS];
	struct sockaddr_storage from;
	union {
		struct cmsghdr c;
		char b[256];
	} ctl;
	struct timeval tv = { 5, 0 };
	struct timespec ts = { 3, 0 };
	struct mmsghdr v[MSGS];
	struct iovec iov[MSGS];
	char b[64], bufs[MSGS][16], name[8];
	struct cmsghdr *cm;
	struct msghdr m;
	sa_family_t fam;
	int u = socket(AF_INET, SOCK_DGRAM, 0), on = 1, pktinfo = 0, got = 0, sent, same = 1, back = 0, rc, sp[2], pp[2];
	ssize_t r;

	if (u < 0 || setsockopt(u, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0 ||
	    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		fail("socket");
	if (sendto(u, "one", 3, 0, (struct sockaddr *)&to, sizeof to) != 3)
		fail("sendto");
	memset(&m, 0, sizeof m);
	memset(&from, 0, sizeof from);
	iov[0] = (struct iovec){ b, sizeof b };
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	if ((r = recvmsg(u, &m, 0)) < 0)
		fail("recvmsg");
	for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm))
		pktinfo |= cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO;
	printf("{\"mode\":\"msgs\",\"from\":");
	jaddr(&from, m.msg_namelen);
	fputs(",\"data\":", stdout);
	jstr(b, (size_t)r);
	printf(",\"pktinfo\":%s", pktinfo ? "true" : "false");

	if (sendto(u, "two", 3, 0, (struct sockaddr *)&to, sizeof to) != 3)
		fail("sendto");
	m = (struct msghdr){ .msg_name = name, .msg_namelen = sizeof name, .msg_iov = iov, .msg_iovlen = 1 };
	if ((r = recvmsg(u, &m, 0)) < 0)
		fail("recvmsg");
	memcpy(&fam, name, sizeof fam);
	printf(",\"cut\":{\"len\":%u,\"family\":\"%s\",\"same\":%s}", (unsigned)m.msg_namelen, family(fam),
	       memcmp(name, &to, sizeof name) == 0 ? "true" : "false");

	tv = (struct timeval){ 0, 300000 };
	setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = 1 };
	r = recvmsg(u, &m, 0);
	printf(",\"timeout\":\"%s\"", r < 0 ? errname(errno) : "received");
	tv = (struct timeval){ 5, 0 };
	setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	mmsg_prepare(v, iov, bufs, froms, MSGS);
	for (int i = 0; i < MSGS; i++) {
		iov[i].iov_len = (size_t)snprintf(bufs[i], sizeof bufs[i], "m%d", i);
		froms[i] = to;
	}
	sent = sendmmsg(u, v, MSGS, 0);
	mmsg_prepare(v, iov, bufs, froms, MSGS);
	while (got < sent && (rc = recvmmsg(u, v + got, (unsigned)(sent - got), MSG_WAITFORONE, &ts)) > 0) {
		for (int i = got; i < got + rc; i++) {
			same &= same_inet(&froms[i], v[i].msg_hdr.msg_namelen, &to);
			back += v[i].msg_len == 2 && bufs[i][0] == 'm';
		}
		got += rc;
	}
	printf(",\"mmsg\":{\"sent\":%d,\"got\":%d,\"same\":%s,\"back\":%d", sent, got, same ? "true" : "false",
	       back);
	mmsg_prepare(v, iov, bufs, froms, 2);
	for (int i = 0; i < 2; i++) {
		iov[i].iov_len = 2;
		memcpy(bufs[i], "mm", 2);
		froms[i] = to;
	}
	if (sendmmsg(u, v, 2, 0) != 2)
		fail("sendmmsg");
	mmsg_prepare(v, iov, bufs, froms, 2);
	rc = recvmmsg(u, v, 2, 0, NULL);
	printf(",\"blocking\":%d,\"blocking_same\":%s", rc,
	       rc == 2 && same_inet(&froms[1], v[1].msg_hdr.msg_namelen, &to) ? "true" : "false");
	mmsg_prepare(v, iov, bufs, froms, MSGS);
	rc = recvmmsg(u, v, MSGS, MSG_DONTWAIT, NULL);
	printf(",\"empty\":\"%s\"}", rc < 0 ? errname(errno) : "received");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0 || pipe(pp) < 0 || write(pp[1], "piped", 5) != 5)
		fail("socketpair");
	memset(&ctl, 0, sizeof ctl);
	iov[0] = (struct iovec){ "f", 1 };
	m = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = CMSG_SPACE(sizeof(int)) };
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pp[0], sizeof(int));
	if (sendmsg(sp[0], &m, 0) != 1)
		fail("sendmsg");
	iov[0] = (struct iovec){ b, sizeof b };
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	rc = -1;
	if (recvmsg(sp[1], &m, 0) == 1 && (cm = CMSG_FIRSTHDR(&m)) != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&rc, CMSG_DATA(cm), sizeof rc);
	r = rc >= 0 ? read(rc, b, sizeof b) : -1;
	fputs(",\"passed\":", stdout);
	jstr(r > 0 ? b : "", r > 0 ? (size_t)r : 0);
	puts("}");
	return 0;
}

static int lowat(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	struct timeval tv = { 5, 0 };
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), v = 16384, one = 1, tcp;
	char b[16];
	ssize_t r;

	if (t < 0 || u < 0 || setsockopt(t, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, sizeof v) < 0 ||
	    setsockopt(u, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one) < 0 ||
	    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		fail("setsockopt");
	len = sizeof v;
	v = -1;
	getsockopt(t, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &len);
	one = -1;
	len = sizeof one;
	getsockopt(u, SOL_SOCKET, SO_RCVLOWAT, &one, &len);
	tcp = echo_once(&to, t, "low water\n");
	len = sizeof from;
	if (sendto(u, "lw", 2, 0, (struct sockaddr *)&to, sizeof to) != 2)
		fail("sendto");
	memset(&from, 0, sizeof from);
	if ((r = recvfrom(u, b, sizeof b, 0, (struct sockaddr *)&from, &len)) != 2)
		fail("recvfrom");
	printf("{\"mode\":\"lowat\",\"read\":[%d,%d],\"tcp\":%s,\"from\":", v, one, tcp ? "true" : "false");
	jaddr(&from, len);
	puts("}");
	return 0;
}

static int tos(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { "two", 3 };
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0), v = 0xb8, w = 0x48, c = 0x28;
	socklen_t l = sizeof v;

	if (u < 0 || t < 0)
		fail("socket");
	if (setsockopt(u, IPPROTO_IP, IP_TOS, &v, sizeof v) < 0 || setsockopt(t, IPPROTO_IP, IP_TOS, &w, sizeof w) < 0)
		fail("setsockopt");
	if (sendto(u, "one", 3, 0, (struct sockaddr *)&to, sizeof to) != 3)
		fail("sendto");
	usleep(200000);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TOS;
	cm->cmsg_len = CMSG_LEN(sizeof c);
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	if (sendmsg(u, &m, 0) != 3)
		fail("sendmsg");
	usleep(200000);
	c = 0x30;
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	if (sendmmsg(u, &(struct mmsghdr){ .msg_hdr = m }, 1, 0) != 1)
		fail("sendmmsg");
	usleep(200000);
	c = 0x50;
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	m.msg_name = NULL;
	m.msg_namelen = 0;
	if (connect(u, (struct sockaddr *)&to, sizeof to) < 0 || sendmsg(u, &m, 0) != 3)
		fail("connected sendmsg");
	usleep(200000);
	if (connect(t, (struct sockaddr *)&to, sizeof to) < 0)
		fail("connect");
	v = w = 0;
	if (getsockopt(u, IPPROTO_IP, IP_TOS, &v, &l) < 0 || getsockopt(t, IPPROTO_IP, IP_TOS, &w, &l) < 0)
		fail("getsockopt");
	printf("{\"mode\":\"tos\",\"udp\":%d,\"tcp\":%d}\n", v, w);
	return 0;
}

static atomic_int waiting;

static void *wait_forever(void *arg)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	char b[16];

	(void)arg;
	atomic_fetch_add(&waiting, 1);
	if (u >= 0)
		recvfrom(u, b, sizeof b, 0, (struct sockaddr *)&from, &len);
	return NULL;
}

static int manywait(char **argv)
{
	struct sockaddr_in to = target(argv[2], argv[3]);
	pthread_attr_t a;
	pthread_t t;
	int n = atoi(argv[4]), ok;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t, &a, wait_forever, NULL) != 0)
			fail("pthread_create");
	while (atomic_load(&waiting) < n)
		usleep(10000);
	usleep(300000); /* their recvfroms are in the supervisor by now */
	ok = echo_once(&to, -1, "still answered\n");
	printf("{\"mode\":\"manywait\",\"waiting\":%d,\"echo\":%s}\n", n, ok ? "true" : "false");
	fflush(stdout);
	_exit(0); /* the waiting threads with it */
}

static int resolve(char **argv)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	char text[INET_ADDRSTRLEN] = "?";
	int rc = getaddrinfo(argv[2], argv[3], &hints, &res), fd;

	if (rc != 0) {
		printf("{\"error\":\"getaddrinfo\",\"text\":\"%s\"}\n", gai_strerror(rc));
		return 1;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, text, sizeof text);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0)
		fail("connect");
	printf("{\"mode\":\"resolve\",\"address\":\"%s\"", text);
	names(fd);
	puts("}");
	freeaddrinfo(res);
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
	if (argc == 4 && strcmp(argv[1], "procs") == 0)
		return procs(argv);
	if (argc == 4 && strcmp(argv[1], "gather") == 0)
		return gather(argv);
	if (argc == 4 && strcmp(argv[1], "sendblock") == 0)
		return sendblock(argv);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "recvblock") == 0)
		return recvblock(argv, argc == 5 ? argv[4] : "from");
	if (argc == 4 && strcmp(argv[1], "tos") == 0)
		return tos(argv);
	if (argc == 4 && strcmp(argv[1], "msgs") == 0)
		return msgs(argv);
	if (argc == 4 && strcmp(argv[1], "lowat") == 0)
		return lowat(argv);
	if (argc == 5 && strcmp(argv[1], "manywait") == 0)
		return manywait(argv);
	if (argc == 4 && strcmp(argv[1], "resolve") == 0)
		return resolve(argv);
	fputs("usage: static-client tcp|nonblocking|udp HOST PORT PAYLOAD | server PORT COUNT | mapped HOST TCPPORT UDPPORT PAYLOAD | procs|gather|sendblock|tos|msgs|lowat HOST PORT | recvblock HOST PORT [from|msg|mmsg] | manywait HOST PORT N | resolve NAME PORT\n", stderr);
	return 2;
}
