#include "base/clock.h"
#include "dns/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr/addr.h"
#include "base/log.h"
#include "base/real.h"
#include "dns/wire.h"

#define CONF_MAX 4096	    /* bytes of resolv.conf read; the rest ignored */
#define MAX_CHAIN 16	    /* CNAME links followed (rfc7050.c) */

/* env returns a variable glibc's resolver reads, never for AT_SECURE programs. */
static const char *env(const char *name)
{
	const char *v = getauxval(AT_SECURE) ? NULL : getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * word finds the next blank-separated word of s (n bytes) at or after *i:
 * its start in *i, its length returned; 0 when there is none.
 */
static size_t word(const char *s, size_t n, size_t *i)
{
	size_t l;

	*i += strspn(s + *i, " \t");
	if (*i >= n)
		return 0;
	l = strcspn(s + *i, " \t");
	return l > n - *i ? n - *i : l;
}

/* set_search replaces rc's search list with the words of s (n bytes). */
static void set_search(struct t64_resolv_conf *rc, const char *s, size_t n)
{
	size_t o = 0, l;

	rc->nsearch = 0;
	for (size_t i = 0; rc->nsearch < T64_MAXDNSRCH && (l = word(s, n, &i)) > 0;
	     i += l) {
		if (o + l + 1 > sizeof rc->search)
			break;
		memcpy(rc->search + o, s + i, l);
		rc->search[o + l] = '\0';
		o += l + 1;
		rc->nsearch++;
	}
}

/* option reads one "name:N" word of an options line into rc (glibc's limits). */
static void option(struct t64_resolv_conf *rc, const char *w, size_t n)
{
	static const struct {
		const char *name;
		int max;
		size_t off;
	} opts[] = {
		{ "ndots:", 15, offsetof(struct t64_resolv_conf, ndots) },
		{ "timeout:", 30, offsetof(struct t64_resolv_conf, timeout) },
		{ "attempts:", 5, offsetof(struct t64_resolv_conf, attempts) },
	};

	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		size_t l = strlen(opts[k].name);
		long v = 0;

		if (n <= l || strncmp(w, opts[k].name, l) != 0)
			continue;
		for (size_t i = l; i < n && w[i] >= '0' && w[i] <= '9'; i++)
			v = v < 1000 ? v * 10 + (w[i] - '0') : v;
		if (v > opts[k].max)
			v = opts[k].max;
		*(int *)((char *)rc + opts[k].off) = (int)v;
	}
}

/* options reads the words of an options line (n bytes). */
static void options(struct t64_resolv_conf *rc, const char *s, size_t n)
{
	size_t l;

	for (size_t i = 0; (l = word(s, n, &i)) > 0; i += l)
		option(rc, s + i, l);
}

/* nameserver adds the address tok (IPv4, or IPv6 with an optional %scope). */
static void nameserver(struct t64_resolv_conf *rc, char *tok)
{
	struct t64_ns *s = &rc->ns[rc->nns];
	char *scope;

	memset(s, 0, sizeof *s);
	if (inet_pton(AF_INET, tok, &s->a.in.sin_addr) == 1) {
		s->a.in.sin_family = AF_INET;
		s->a.in.sin_port = htons(53);
		s->len = sizeof s->a.in;
		rc->nns++;
		return;
	}
	scope = strchr(tok, '%');
	if (scope != NULL)
		*scope++ = '\0';
	if (inet_pton(AF_INET6, tok, &s->a.in6.sin6_addr) != 1)
		return;
	s->a.in6.sin6_family = AF_INET6;
	s->a.in6.sin6_port = htons(53);
	if (scope != NULL) {
		char *end;
		unsigned long id = strtoul(scope, &end, 10);

		s->a.in6.sin6_scope_id = *end == '\0' && *scope != '\0' ?
						 (uint32_t)id :
						 if_nametoindex(scope);
	}
	s->len = sizeof s->a.in6;
	rc->nns++;
}

/*
 * t64_resolv_conf_read reads /etc/resolv.conf (its first CONF_MAX - 1
 * bytes) as glibc does: up to T64_MAXNS nameserver lines, the last search or
 * domain line (else the host name's domain), options ndots, timeout and
 * attempts (defaults 1, 5, 2; capped at 15, 30, 5); then LOCALDOMAIN and
 * RES_OPTIONS unless AT_SECURE. No lock, no allocation. errno clobbered.
 */
void t64_resolv_conf_read(struct t64_resolv_conf *rc)
{
	char buf[CONF_MAX];
	size_t len = 0;
	int fd = open(T64_RESOLV_CONF, O_RDONLY | O_CLOEXEC);
	const char *v;

	memset(rc, 0, sizeof *rc);
	rc->ndots = 1;
	rc->timeout = 5;
	rc->attempts = 2;
	while (fd >= 0 && len < sizeof buf - 1) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (fd >= 0)
		t64_close(fd);
	buf[len] = '\0';
	for (char *line = buf, *next; line != NULL; line = next) {
		size_t n;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		n = strcspn(line, "\r#;");
		line[n] = '\0';
		if (strncmp(line, "nameserver", 10) == 0 &&
		    (line[10] == ' ' || line[10] == '\t')) {
			char *tok = line + 10 + strspn(line + 10, " \t");

			tok[strcspn(tok, " \t")] = '\0';
			if (rc->nns < T64_MAXNS)
				nameserver(rc, tok);
		} else if ((strncmp(line, "search", 6) == 0 ||
			    strncmp(line, "domain", 6) == 0) &&
			   (line[6] == ' ' || line[6] == '\t')) {
			set_search(rc, line + 7, n - 7);
			if (line[0] == 'd' && rc->nsearch > 1)
				rc->nsearch = 1;
		} else if (strncmp(line, "options", 7) == 0 &&
			   (line[7] == ' ' || line[7] == '\t')) {
			options(rc, line + 8, n - 8);
		}
	}
	if ((v = env("LOCALDOMAIN")) != NULL)
		set_search(rc, v, strlen(v));
	if ((v = env("RES_OPTIONS")) != NULL)
		options(rc, v, strlen(v));
	if (rc->nsearch == 0) {
		char host[256], *dot;

		if (gethostname(host, sizeof host - 1) == 0) {
			host[sizeof host - 1] = '\0';
			dot = strchr(host, '.');
			if (dot != NULL && dot[1] != '\0')
				set_search(rc, dot + 1, strlen(dot + 1));
		}
	}
	if (rc->timeout < 1)
		rc->timeout = 1;
	if (rc->attempts < 1)
		rc->attempts = 1;
}

/*
 * t64_query_id returns a fresh 16-bit query id: getrandom without blocking,
 * else a counter mixed with the pid and the time. errno clobbered.
 */
uint16_t t64_query_id(void)
{
	static _Atomic unsigned counter;
	uint16_t id;

	if (getrandom(&id, sizeof id, GRND_NONBLOCK) == (ssize_t)sizeof id)
		return id;
	return (uint16_t)(atomic_fetch_add(&counter, 1) * 0x9e37u ^
			  (unsigned)getpid() ^ (unsigned)time(NULL));
}

/*
 * wait_fd polls fd for events until *t0 + wait_ms; 1 ready, 0 not. With
 * beat, it polls T64_DNS_BEAT_MS at a time and stores t64_ms() in *beat
 * after each: the sign of life other threads look for (prefix/discover.c),
 * which stops when a non-local exit leaves the wait.
 */
static int wait_fd(int fd, short events, const struct timespec *t0,
		   long wait_ms, _Atomic uint64_t *beat)
{
	t64_fn_poll *pol = T64_REAL(poll);
	long left;

	while (pol != NULL && (left = wait_ms - t64_ms_since(t0)) > 0) {
		struct pollfd p = { .fd = fd, .events = events };
		int r = pol(&p, 1, (int)(beat != NULL && left > T64_DNS_BEAT_MS ? T64_DNS_BEAT_MS : left));

		if (beat != NULL)
			atomic_store(beat, t64_ms());
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

/*
 * tcp asks s the query q over TCP (after a truncated UDP answer), until
 * *t0 + wait_ms. Returns the answer's length in buf, or -1 (no answer, or
 * longer than size). errno clobbered.
 */
static int tcp(const struct t64_ns *s, const uint8_t *q, size_t qlen,
	       uint8_t *buf, size_t size, const struct timespec *t0,
	       long wait_ms, _Atomic uint64_t *beat)
{
	t64_fn_socket *sock = T64_REAL(socket);
	t64_fn_connect *conn = T64_REAL(connect);
	t64_fn_sendto *snd = T64_REAL(sendto);
	t64_fn_recvfrom *rcv = T64_REAL(recvfrom);
	t64_fn_getsockopt *gso = T64_REAL(getsockopt);
	t64_fn_close *cls = T64_REAL(close);
	uint8_t out[2 + T64_DNS_QMAX], hdr[2];
	size_t got = 0, want = 0, sent = 0;
	int fd, err = 0, ret = -1;
	socklen_t el = sizeof err;

	if (!sock || !conn || !snd || !rcv || !gso || !cls || qlen > T64_DNS_QMAX)
		return -1;
	fd = sock(s->a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		  0);
	if (fd < 0)
		return -1;
	if (conn(fd, &s->a.sa, s->len) != 0 &&
	    (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, t0, wait_ms, beat) ||
	     gso(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0))
		goto out;
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, q, qlen);
	while (sent < qlen + 2) {
		ssize_t n = snd(fd, out + sent, qlen + 2 - sent, MSG_NOSIGNAL,
				NULL, 0);

		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto out;
		else if (!wait_fd(fd, POLLOUT, t0, wait_ms, beat))
			goto out;
	}
	while (want == 0 || got < want) {
		uint8_t *to = want == 0 ? hdr + got : buf + got;
		size_t room = want == 0 ? 2 - got : want - got;
		ssize_t n = rcv(fd, to, room, MSG_DONTWAIT, NULL, NULL);

		if (n == 0)
			goto out;
		if (n < 0) {
			if ((errno != EAGAIN && errno != EINTR) ||
			    !wait_fd(fd, POLLIN, t0, wait_ms, beat))
				goto out;
			continue;
		}
		got += (size_t)n;
		if (want == 0 && got == 2) {
			want = (size_t)hdr[0] << 8 | hdr[1];
			got = 0;
			if (want < 12 || want > size)
				goto out;
		}
	}
	ret = (int)want;
out:
	cls(fd);
	return ret;
}

/*
 * t64_dns_ask sends the query q (qlen bytes, from t64_dns_query) to the
 * server s over a new connected UDP socket (a fresh source port) made with
 * the real functions, and waits up to wait_ms for its answer: a message
 * t64_dns_answer does not ignore (same id, QR, same question; well-formed),
 * others are dropped and the wait goes on. The whole datagram is read (up
 * to size bytes: a server may send more than 512 without setting TC, and
 * the tools read it all). A truncated answer (TC) is asked again over TCP
 * within the same wait; when that fails, the UDP answer is kept. beat (may
 * be NULL): see wait_fd. Returns the answer's length in buf (size bytes),
 * or -1 (no answer; an ICMP error ends the wait at once). No lock, no
 * allocation. errno clobbered (the caller preserves it).
 */
int t64_dns_ask(const struct t64_ns *s, const uint8_t *q, size_t qlen,
		uint8_t *buf, size_t size, long wait_ms, _Atomic uint64_t *beat)
{
	t64_fn_socket *sock = T64_REAL(socket);
	t64_fn_connect *conn = T64_REAL(connect);
	t64_fn_sendto *snd = T64_REAL(sendto);
	t64_fn_recvfrom *rcv = T64_REAL(recvfrom);
	t64_fn_close *cls = T64_REAL(close);
	struct timespec t0;
	int fd, ret = -1;

	if (!sock || !conn || !snd || !rcv || !cls || size < 512)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = sock(s->a.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (conn(fd, &s->a.sa, s->len) != 0 ||
	    snd(fd, q, qlen, 0, NULL, 0) != (ssize_t)qlen)
		goto out;
	while (wait_fd(fd, POLLIN, &t0, wait_ms, beat)) {
		size_t n_ok;
		ssize_t n = rcv(fd, buf, size, MSG_DONTWAIT, NULL, NULL);

		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto out; /* e.g. ICMP port unreachable */
		if (n < 12 || t64_dns_answer(buf, (size_t)n, q, qlen, NULL, 0,
					     &n_ok, NULL) == T64_DNS_IGNORE)
			continue;
		ret = (int)n;
		if (buf[2] & 0x02) { /* TC: a server cuts at 512 bytes (no EDNS) */
			uint8_t udp[512];
			int r;

			if ((size_t)n <= sizeof udp)
				memcpy(udp, buf, (size_t)n);
			r = tcp(s, q, qlen, buf, size, &t0, wait_ms, beat);
			if (r > 0 && t64_dns_answer(buf, (size_t)r, q, qlen, NULL,
						    0, &n_ok, NULL) != T64_DNS_IGNORE)
				ret = r;
			else if ((size_t)n <= sizeof udp)
				memcpy(buf, udp, (size_t)n);
			else
				ret = -1;
		}
		break;
	}
out:
	cls(fd);
	return ret;
}
