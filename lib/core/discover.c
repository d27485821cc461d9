#include "discover.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "log.h"
#include "memo.h"
#include "real.h"
#include "rfc7050.h"
#include "state.h"

#define T64_MAXNS 3    /* nameservers used, as glibc's MAXNS */
#define CONF_MAX 4096  /* bytes of resolv.conf read; the rest ignored */
#define TRIES 2	       /* one retry per server */
#define TRY_MS 2000    /* wait per try */

/* One nameserver of resolv.conf, port 53. */
struct nameserver {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} a;
	socklen_t len;
};

/* The current result, or NULL before the first discovery. */
static _Atomic(const struct t64_disc *) current;
/* 0: idle; else (pid << 1) of the process whose thread is discovering. */
static _Atomic long busy_word;

/*
 * t64_discover_answer turns a raw DNS answer (len bytes, len < 0 when the
 * query failed) into a new result chained to prev. Returns it, or NULL when
 * out of memory. errno preserved.
 */
const struct t64_disc *t64_discover_answer(const uint8_t *msg, int len,
					   const struct t64_disc *prev)
{
	uint8_t ans[T64_MAX_ANSWERS][16];
	struct t64_disc *d = calloc(1, sizeof *d);
	int saved = errno;
	size_t n = 0;
	uint32_t ttl = 0;

	if (d == NULL)
		goto out;
	if (len > 0 && t64_dns_aaaa(msg, (size_t)len, ans, T64_MAX_ANSWERS, &n,
				    &ttl) == 0)
		d->n = t64_rfc7050_prefixes((const uint8_t(*)[16])ans, n, d->p,
					    T64_MAX_PREFIXES);
	d->ttl = d->n ? (ttl < 10 ? 10 : ttl) : T64_NEGATIVE_TTL;
	d->expires = t64_now() + d->ttl;
	d->prev = prev;
out:
	errno = saved;
	return d;
}

/*
 * conf_servers reads up to T64_MAXNS nameserver lines of /etc/resolv.conf
 * (its first CONF_MAX - 1 bytes; IPv4 or IPv6, "%scope" optional) into ns.
 * Returns how many; with none (no file, no usable line) 127.0.0.1, as glibc.
 * No lock, no allocation. errno clobbered (the caller preserves it).
 */
static int conf_servers(struct nameserver ns[T64_MAXNS])
{
	char buf[CONF_MAX];
	size_t len = 0;
	int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	int n = 0;

	while (fd >= 0 && len < sizeof buf - 1) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	buf[len] = '\0';
	for (char *line = buf, *next; line != NULL && n < T64_MAXNS;
	     line = next) {
		char *tok, *scope;
		struct nameserver *s = &ns[n];

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (strncmp(line, "nameserver", 10) != 0 ||
		    (line[10] != ' ' && line[10] != '\t'))
			continue;
		tok = line + 10 + strspn(line + 10, " \t");
		tok[strcspn(tok, " \t\r#;")] = '\0';
		memset(s, 0, sizeof *s);
		if (inet_pton(AF_INET, tok, &s->a.in.sin_addr) == 1) {
			s->a.in.sin_family = AF_INET;
			s->a.in.sin_port = htons(53);
			s->len = sizeof s->a.in;
			n++;
			continue;
		}
		scope = strchr(tok, '%');
		if (scope != NULL)
			*scope++ = '\0';
		if (inet_pton(AF_INET6, tok, &s->a.in6.sin6_addr) != 1)
			continue;
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
		n++;
	}
	if (n == 0) {
		memset(&ns[0], 0, sizeof ns[0]);
		ns[0].a.in.sin_family = AF_INET;
		ns[0].a.in.sin_port = htons(53);
		ns[0].a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ns[0].len = sizeof ns[0].a.in;
		n = 1;
	}
	return n;
}

/*
 * query_id returns a fresh 16-bit query id: getrandom without blocking, else
 * a counter mixed with the pid and the time. errno clobbered.
 */
static uint16_t query_id(void)
{
	static _Atomic unsigned counter;
	uint16_t id;

	if (getrandom(&id, sizeof id, GRND_NONBLOCK) == (ssize_t)sizeof id)
		return id;
	return (uint16_t)(atomic_fetch_add(&counter, 1) * 0x9e37u ^
			  (unsigned)getpid() ^ (unsigned)time(NULL));
}

/* ms_since returns the milliseconds elapsed since *t0 (CLOCK_MONOTONIC). */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * ask sends the query q (qlen bytes, id in its first two bytes) to the
 * server s over a connected UDP socket made with the real functions, and
 * waits TRY_MS for the answer, TRIES times in all. Returns the answer's
 * length in buf (size bytes), or -1 when no acceptable answer came: the
 * reply must carry the id and QR, and come from s (the socket is
 * connected). A truncated answer (TC) is kept as it is. No lock, no
 * allocation. errno clobbered (the caller preserves it).
 */
static int ask(const struct nameserver *s, const uint8_t *q, size_t qlen,
	       uint8_t *buf, size_t size)
{
	t64_fn_socket *sock = T64_REAL(socket);
	t64_fn_connect *conn = T64_REAL(connect);
	t64_fn_sendto *snd = T64_REAL(sendto);
	t64_fn_recvfrom *rcv = T64_REAL(recvfrom);
	t64_fn_poll *pol = T64_REAL(poll);
	t64_fn_close *cls = T64_REAL(close);
	int fd = -1, ret = -1;

	if (!sock || !conn || !snd || !rcv || !pol || !cls)
		return -1;
	fd = sock(s->a.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || conn(fd, &s->a.sa, s->len) != 0)
		goto out;
	for (int t = 0; t < TRIES; t++) {
		struct timespec t0;
		long left = TRY_MS;

		if (snd(fd, q, qlen, 0, NULL, 0) != (ssize_t)qlen)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (left > 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int r = pol(&p, 1, (int)left);
			ssize_t n;

			if (r < 0 && errno != EINTR)
				goto out;
			if (r > 0) {
				n = rcv(fd, buf, size, MSG_DONTWAIT, NULL, NULL);
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					goto out; /* e.g. ICMP unreachable */
				if (n >= 12 && buf[0] == q[0] &&
				    buf[1] == q[1] && (buf[2] & 0x80)) {
					ret = (int)n;
					goto out;
				}
			}
			left = TRY_MS - ms_since(&t0);
		}
	}
out:
	if (fd >= 0)
		cls(fd);
	return ret;
}

/*
 * query asks the nameservers of /etc/resolv.conf in order (at most
 * T64_MAXNS, each 2 x 2 s at most) for the AAAA records of ipv4only.arpa
 * with a query of our own over UDP: no resolver lock a fork could strand.
 * A server answering SERVFAIL, NOTIMP or REFUSED passes to the next one.
 * Returns a new result chained to prev, or NULL when out of memory. errno
 * preserved.
 */
static const struct t64_disc *query(const struct t64_disc *prev)
{
	static const uint8_t qname[] = "\x08ipv4only\x04"
				       "arpa";
	struct nameserver ns[T64_MAXNS];
	uint8_t q[12 + sizeof qname + 4] = { 0 };
	uint8_t buf[2048];
	uint16_t id;
	int len = -1, saved = errno, n = conf_servers(ns);
	const struct t64_disc *d;
	char p[T64_ADDRSTR + 4];

	for (int i = 0; i < n && len < 0; i++) {
		id = query_id();
		q[0] = (uint8_t)(id >> 8);
		q[1] = (uint8_t)id;
		q[2] = 0x01; /* RD */
		q[5] = 1;    /* QDCOUNT */
		memcpy(q + 12, qname, sizeof qname); /* with the root's 0 */
		q[12 + sizeof qname + 1] = 28; /* QTYPE AAAA */
		q[12 + sizeof qname + 3] = 1;  /* QCLASS IN */
		len = ask(&ns[i], q, sizeof q, buf, sizeof buf);
		if (len > 0 && i + 1 < n &&
		    ((buf[3] & 0x0f) == 2 || (buf[3] & 0x0f) == 4 ||
		     (buf[3] & 0x0f) == 5))
			len = -1;
	}
	errno = saved;
	d = t64_discover_answer(buf, len, prev);
	if (d != NULL && d->n > 0) {
		t64_format_prefix(&d->p[0], p);
		T64_DEBUG(1, "discovered NAT64 prefix %s (%zu in all, TTL %u)",
			  p, d->n, d->ttl);
	} else {
		T64_DEBUG(1, "no NAT64 prefix discovered (ipv4only.arpa)");
	}
	return d;
}

/*
 * t64_discovered returns the current discovery result (NULL when none yet).
 * With run set and the result missing or expired, discovers first: one
 * thread queries while others keep the old result or wait a bounded time; a
 * child forked mid-query takes over. Never inside the library. errno
 * preserved.
 */
const struct t64_disc *t64_discovered(int run)
{
	const struct t64_disc *cur = atomic_load(&current);
	int saved = errno;
	long me, w = 0;

	if (!run || t64_busy || (cur != NULL && t64_now() < cur->expires) ||
	    !t64_state()->discovery)
		return cur;
	me = (long)getpid() << 1;
	for (int i = 0; i < 6000; i++) {
		const struct t64_disc *now = atomic_load(&current);

		if (now != cur) {
			cur = now;
			goto out;
		}
		if (w != me && atomic_compare_exchange_strong(&busy_word, &w, me)) {
			const struct t64_disc *d;

			t64_busy++;
			d = query(cur);
			t64_busy--;
			if (d != NULL) {
				atomic_store(&current, d);
				cur = d;
			}
			atomic_store(&busy_word, 0);
			goto out;
		}
		if (cur != NULL)
			goto out;
		t64_wait_a_little();
		w = atomic_load(&busy_word);
	}
out:
	errno = saved;
	return cur;
}
