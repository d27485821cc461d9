/*
 * The library's own lookups, for when glibc's resolver cannot reach any
 * nameserver: whether that is the case (every nameserver IPv4 and without
 * an IPv4 route, a NAT64 prefix known for them), and the lookup itself
 * through the DNS client, each IPv4 nameserver at its NAT64 address.
 */
#include "calls/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr/addr.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/real.h"
#include "config/settings.h"
#include "dns/wire.h"
#include "plan/decide.h"
#include "prefix/discover.h"
#include "prefix/order.h"
#include "prefix/pref64.h"

#define BUDGET_MS 10000	    /* one t64_resolve call, whatever the file says */
#define NEEDED_SECONDS 5    /* t64_resolve_needed re-reads after this */

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

	const struct t64_prefix *p;

	t64_decide(st->cfg, t64_prefix_fixed(st->env, st->file), ip, 53, &d);
	if (d.reason == T64_R_NO_PREFIX && t64_default_prefix(0, &p) != T64_O_NONE)
		t64_decide(st->cfg, p, ip, 53, &d);
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
	uint8_t q[T64_DNS_QMAX], buf[T64_DNS_ANSWER_MAX];
	int failed = 0; /* bit i: server i answered with a failure */

	for (int a = 0; a < rc->attempts; a++) {
		for (int i = 0; i < n; i++) {
			long left = BUDGET_MS - t64_ms_since(t0);
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
						  rc->timeout * 1000L,
					  NULL);
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
