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
#include "plan/decide.h"
#include "prefix/discover.h"
#include "base/log.h"
#include "plan/memo.h"
#include "prefix/pref64.h"
#include "base/real.h"
#include "dns/wire.h"
#include "config/settings.h"

#define CONF_MAX 4096	    /* bytes of resolv.conf read; the rest ignored */
#define BUDGET_MS 10000	    /* one t64_resolve call, whatever the file says */
#define NEEDED_SECONDS 5    /* t64_resolve_needed re-reads after this */
#define MAX_CHAIN 16	    /* CNAME links followed (rfc7050.c) */
#define ANSWER_MAX 4096	    /* UDP answers are 512 bytes (no EDNS); TCP ones up to this */

/* ms_since returns the milliseconds elapsed since *t0 (CLOCK_MONOTONIC). */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

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
		close(fd);
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

/* wait_fd polls fd for events until *t0 + wait_ms; 1 ready, 0 not. */
static int wait_fd(int fd, short events, const struct timespec *t0,
		   long wait_ms)
{
	t64_fn_poll *pol = T64_REAL(poll);
	long left;

	while (pol != NULL && (left = wait_ms - ms_since(t0)) > 0) {
		struct pollfd p = { .fd = fd, .events = events };
		int r = pol(&p, 1, (int)left);

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
	       long wait_ms)
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
	    (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, t0, wait_ms) ||
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
		else if (!wait_fd(fd, POLLOUT, t0, wait_ms))
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
			    !wait_fd(fd, POLLIN, t0, wait_ms))
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
 * others are dropped and the wait goes on. A truncated answer (TC) is asked
 * again over TCP within the same wait; when that fails, the UDP answer is
 * kept. Returns the answer's length in buf (size bytes), or -1 (no answer;
 * an ICMP error ends the wait at once). No lock, no allocation. errno
 * clobbered (the caller preserves it).
 */
int t64_dns_ask(const struct t64_ns *s, const uint8_t *q, size_t qlen,
		uint8_t *buf, size_t size, long wait_ms)
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
	while (wait_fd(fd, POLLIN, &t0, wait_ms)) {
		size_t n_ok;
		ssize_t n = rcv(fd, buf, 512, MSG_DONTWAIT, NULL, NULL);

		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto out; /* e.g. ICMP port unreachable */
		if (n < 12 || t64_dns_answer(buf, (size_t)n, q, qlen, NULL, 0,
					     &n_ok, NULL) == T64_DNS_IGNORE)
			continue;
		ret = (int)n;
		if (buf[2] & 0x02) { /* TC */
			uint8_t udp[512];
			int r;

			memcpy(udp, buf, (size_t)n);
			r = tcp(s, q, qlen, buf, size, &t0, wait_ms);
			if (r > 0 && t64_dns_answer(buf, (size_t)r, q, qlen, NULL,
						    0, &n_ok, NULL) != T64_DNS_IGNORE)
				ret = r;
			else
				memcpy(buf, udp, (size_t)n);
		}
		break;
	}
out:
	cls(fd);
	return ret;
}

/*
 * ipv4_route asks the kernel whether IPv4 packets to ip (network order)
 * have a way out: connect() of a UDP socket (no packet sent) makes the
 * same routing decision glibc's own sendto to the nameserver would meet,
 * all routing tables and local addresses included. Returns 1 (a route), 0
 * (none: unreachable, prohibited or blackhole), -1 (cannot tell).
 */
static int ipv4_route(uint32_t ip)
{
	t64_fn_socket *sock = T64_REAL(socket);
	t64_fn_connect *conn = T64_REAL(connect);
	t64_fn_close *cls = T64_REAL(close);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(53),
				   .sin_addr = { .s_addr = ip } };
	int fd, r;

	if (!sock || !conn || !cls ||
	    (fd = sock(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	r = conn(fd, (struct sockaddr *)&sin, sizeof sin) == 0 ? 1 :
	    errno == ENETUNREACH || errno == EHOSTUNREACH ||
			    errno == EACCES || errno == EINVAL ?
								 0 :
								 -1;
	cls(fd);
	return r;
}

/*
 * ns_nat64 gives the NAT64 address of IPv4 nameserver s (port 53) in out:
 * the decision of DESIGN.md for it, with the PREF64 cache's prefix or
 * else the first discovered one when none is configured, as route.c (no new
 * discovery: it would ask the same unreachable servers). Returns 1, or 0 when NAT64 is not what the library would use.
 */
static int ns_nat64(const struct t64_ns *s, struct t64_ns *out)
{
	const struct t64_state *st = t64_state();
	uint32_t ip = ntohl(s->a.in.sin_addr.s_addr);
	struct t64_decision d;

	t64_decide(st->cfg, st->dflt, ip, 53, &d);
	if (d.reason == T64_R_NO_PREFIX) {
		const struct t64_prefix *pref = t64_pref64(1);
		const struct t64_disc *disc = pref ? NULL : t64_discovered(0);

		if (pref != NULL)
			t64_decide(st->cfg, pref, ip, 53, &d);
		else if (disc != NULL && disc->n > 0)
			t64_decide(st->cfg, &disc->p[0], ip, 53, &d);
	}
	if (d.method != T64_NAT64 || d.prefix == NULL)
		return 0;
	memset(out, 0, sizeof *out);
	out->a.in6.sin6_family = AF_INET6;
	out->a.in6.sin6_port = htons(53);
	t64_synthesize(d.prefix, ip, out->a.in6.sin6_addr.s6_addr);
	out->len = sizeof out->a.in6;
	return 1;
}

/* loopback4 returns 1 for 127/8 and 0/8 (both reach this host). */
static int loopback4(const struct t64_ns *s)
{
	uint32_t ip = ntohl(s->a.in.sin_addr.s_addr);

	return (ip >> 24) == 127 || (ip >> 24) == 0;
}

/*
 * needed_now applies the rule of t64_resolve_needed to rc: nameservers
 * named, all IPv4, none on this host, no IPv4 route to any (and the table
 * readable), and a NAT64 address for at least one.
 */
static int needed_now(const struct t64_resolv_conf *rc)
{
	int via = 0;

	if (rc->nns == 0)
		return 0;
	for (int i = 0; i < rc->nns; i++) {
		struct t64_ns six;

		if (rc->ns[i].a.sa.sa_family != AF_INET || loopback4(&rc->ns[i]) ||
		    ipv4_route(rc->ns[i].a.in.sin_addr.s_addr) != 0)
			return 0;
		via += ns_nat64(&rc->ns[i], &six);
	}
	return via > 0;
}

/*
 * t64_resolve_needed: see resolve.h. The answer is kept in one atomic word
 * (time, resolv.conf identity, result) for NEEDED_SECONDS, or until the
 * file's inode, size or mtime change: one stat per call, no lock. errno
 * preserved.
 */
int t64_resolve_needed(void)
{
	static _Atomic uint64_t word; /* now:30 | key:32 | result:1 | valid:1 */
	struct t64_resolv_conf rc;
	struct stat sb;
	uint64_t w = atomic_load(&word), key = 0, now = t64_now() & 0x3fffffffu;
	int saved = errno, r;

	if (stat(T64_RESOLV_CONF, &sb) == 0)
		key = ((uint64_t)sb.st_ino * 0x9e3779b1u ^ (uint64_t)sb.st_size ^
		       (uint64_t)sb.st_mtim.tv_sec * 1000003u ^
		       (uint64_t)sb.st_mtim.tv_nsec) &
		      0xffffffffu;
	if ((w & 1) && ((w >> 2) & 0xffffffffu) == key &&
	    now - (w >> 34) < NEEDED_SECONDS) {
		errno = saved;
		return (int)(w >> 1 & 1);
	}
	t64_resolv_conf_read(&rc);
	r = needed_now(&rc);
	atomic_store(&word, now << 34 | key << 2 | (uint64_t)r << 1 | 1);
	errno = saved;
	return r;
}

/* Outcomes of asking every server about one name. */
enum { Q_OK, Q_NXDOMAIN, Q_NODATA, Q_SERVFAIL, Q_TIMEOUT };

/*
 * ask_all asks the n servers for qname (wire form, qlen bytes) of type,
 * in rounds of attempts, each try waiting timeout seconds at most and all
 * of them ending by *t0 + BUDGET_MS. A server answering SERVFAIL and the
 * like is not asked again. Fills ans->addr/n and canon on Q_OK.
 */
static int ask_all(const struct t64_ns *ns, int n, const struct t64_resolv_conf *rc,
		   const uint8_t *qname, size_t qlen, int type,
		   struct t64_answer *ans, char canon[T64_DNS_NAME_MAX],
		   const struct timespec *t0)
{
	uint8_t q[T64_DNS_QMAX], buf[ANSWER_MAX];
	int failed = 0; /* bit i: server i answered with a failure */

	for (int a = 0; a < rc->attempts; a++) {
		for (int i = 0; i < n; i++) {
			long left = BUDGET_MS - ms_since(t0);
			size_t ql;
			int len, r;

			if (failed & 1 << i)
				continue;
			if (left <= 0)
				return Q_TIMEOUT;
			ql = t64_dns_query(q, t64_query_id(), qname, qlen, type);
			len = t64_dns_ask(&ns[i], q, ql, buf, sizeof buf,
					  left < rc->timeout * 1000L ?
						  left :
						  rc->timeout * 1000L);
			if (len < 0)
				continue;
			r = t64_dns_answer(buf, (size_t)len, q, ql, ans->addr,
					   T64_RESOLVE_MAX, &ans->n, canon);
			if (r == T64_DNS_OK)
				return Q_OK;
			if (r == T64_DNS_NXDOMAIN)
				return Q_NXDOMAIN;
			if (r == T64_DNS_NODATA)
				return Q_NODATA;
			failed |= 1 << i;
		}
		if (failed == (1 << n) - 1)
			return Q_SERVFAIL;
	}
	return Q_TIMEOUT;
}

/*
 * servers lists whom t64_resolve asks: rc's nameservers in order, an IPv4
 * one at its NAT64 address unless an IPv4 route leads to it (or it is on
 * this host), 127.0.0.1 when the file names none. Returns how many.
 */
static int servers(const struct t64_resolv_conf *rc, struct t64_ns ns[T64_MAXNS])
{
	int n = 0;

	for (int i = 0; i < rc->nns; i++) {
		const struct t64_ns *s = &rc->ns[i];

		ns[n] = *s;
		if (s->a.sa.sa_family == AF_INET && !loopback4(s) &&
		    ipv4_route(s->a.in.sin_addr.s_addr) != 1)
			ns_nat64(s, &ns[n]);
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
 * t64_resolve: see resolve.h. The candidate names are glibc's: a name
 * ending in '.' alone; one with at least ndots dots as given first, then
 * with each search domain; a shorter one with each search domain first,
 * then as given. No answer at all from any server (a timeout) ends the
 * search at once with T64_R_AGAIN; NXDOMAIN and failures move on to the next
 * candidate. errno preserved.
 */
int t64_resolve(const char *name, int type, struct t64_answer *ans)
{
	struct t64_resolv_conf rc;
	struct t64_ns ns[T64_MAXNS];
	struct timespec t0;
	size_t n = name != NULL ? strnlen(name, 256) : 256;
	int saved = errno, nns, dots = 0, absolute, nodata = 0, servfail = 0;
	int ret = T64_R_NONAME, ncand, first;

	ans->n = 0;
	ans->name[0] = '\0';
	if (n == 0 || n > 254 || (type != T64_QA && type != T64_QAAAA))
		return T64_R_NONAME;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t64_resolv_conf_read(&rc);
	nns = servers(&rc, ns);
	absolute = name[n - 1] == '.';
	if (absolute)
		n--;
	for (size_t i = 0; i < n; i++)
		dots += name[i] == '.';
	/* Candidate c: -1 the name as given, else search domain c. */
	ncand = absolute ? 1 : rc.nsearch + 1;
	first = absolute || dots >= rc.ndots;
	for (int k = 0; k < ncand; k++) {
		int c = first ? k - 1 : k == rc.nsearch ? -1 : k;
		const char *suffix = NULL;
		uint8_t wire[T64_DNS_NAME_MAX];
		char canon[T64_DNS_NAME_MAX];
		int wl, r;

		if (c >= 0) {
			suffix = rc.search;
			for (int s = 0; s < c; s++)
				suffix += strlen(suffix) + 1;
		}
		wl = t64_dns_wire(name, n, suffix, wire);
		if (wl < 0)
			continue;
		r = ask_all(ns, nns, &rc, wire, (size_t)wl, type, ans, canon, &t0);
		if (r == Q_OK) {
			size_t sl = suffix != NULL ? strlen(suffix) : 0;

			if (sl > 0 && suffix[sl - 1] == '.')
				sl--;
			memcpy(ans->name, name, n);
			if (sl > 0) {
				ans->name[n] = '.';
				memcpy(ans->name + n + 1, suffix, sl);
			}
			ans->name[n + (sl > 0 ? sl + 1 : 0)] = '\0';
			/* The canonical name is the CNAME chain's end, as
			 * glibc's; without a chain, the name as written. */
			if (strcasecmp(canon, ans->name) != 0)
				memcpy(ans->name, canon, sizeof canon);
			ret = T64_R_OK;
			T64_DEBUG(1, "resolved %s (type %d) ourselves: %zu "
				     "answers",
				  ans->name, type, ans->n);
			goto out;
		}
		if (r == Q_TIMEOUT) {
			ret = T64_R_AGAIN;
			goto out;
		}
		nodata |= r == Q_NODATA;
		servfail |= r == Q_SERVFAIL;
	}
	ret = nodata ? T64_R_NODATA : servfail ? T64_R_AGAIN : T64_R_NONAME;
out:
	if (ret != T64_R_OK)
		ans->n = 0;
	errno = saved;
	return ret;
}
