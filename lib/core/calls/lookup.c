/*
 * Name lookups for IPv4 programs on an IPv6-only host (docs/DESIGN.md,
 * "Names"): IPv4 lookups ignore AI_ADDRCONFIG, a name with only IPv6
 * addresses gets stand-ins from the pool (RFC 6535), our own DNS client
 * answers when the nameservers are IPv4-only, and a stand-in looks back
 * to its name.
 */
#include "calls/lookup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr/addr.h"
#include "base/hold.h"
#include "pool/pool.h"
#include "prefix/known.h"

#ifndef NETDB_INTERNAL
#define NETDB_INTERNAL (-1) /* glibc's "see errno"; musl lacks it */
#endif
#ifndef EAI_NODATA
#define EAI_NODATA EAI_NONAME
#endif
#ifndef EAI_ADDRFAMILY
#define EAI_ADDRFAMILY EAI_NONAME
#endif

/*
 * Lookups nested in a lookup (an NSS module calling getaddrinfo, a signal
 * handler interrupting one) go straight to libc: only the outermost call
 * is ours, and nothing of ours holds a lock while libc works, so no
 * nesting can deadlock. A hold (base/hold.h), not a depth count: a lookup
 * left by siglongjmp (the classic alarm() timeout around gethostbyname)
 * leaves nothing that would keep the thread's next lookups from being ours.
 */
static __thread struct t64_hold hold T64_TLS;

#define LOOKUP_MS 60000 /* a lookup holding on longer than this was abandoned */

/*
 * t64_lookup_enter returns 1 when this lookup is ours (then
 * t64_lookup_leave with the same mark, T64_MARK() in the hook's frame),
 * else 0.
 */
int t64_lookup_enter(struct t64_mark *m)
{
	return t64_hold_take(&hold, m, LOOKUP_MS);
}

void t64_lookup_leave(struct t64_mark *m)
{
	t64_hold_drop(&hold, m);
}

/* is_name: 0 for what is no host name to give a stand-in: empty, an IPv6 literal (scoped or not). */
static int is_name(const char *node)
{
	return node != NULL && node[0] != '\0' && strchr(node, ':') == NULL;
}

/*
 * host_has_ipv4 answers what glibc's AI_ADDRCONFIG asks: does the host have
 * an IPv4 address other than loopback? Read at most once a second (a
 * netlink dump). Unknown (getifaddrs failed) counts as yes: change nothing.
 */
static int host_has_ipv4(void)
{
	static _Atomic uint64_t memo; /* (second + 1) << 1 | answer; 0: none yet */
	struct timespec ts;
	struct ifaddrs *list;
	uint64_t now, m;
	int has = 1;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec + 1;
	m = atomic_load_explicit(&memo, memory_order_relaxed);
	if (m >> 1 == now)
		return (int)(m & 1);
	if (getifaddrs(&list) == 0) {
		has = 0;
		for (struct ifaddrs *i = list; i != NULL && !has; i = i->ifa_next) {
			const struct sockaddr_in *sin = (void *)i->ifa_addr;

			has = sin != NULL && sin->sin_family == AF_INET &&
			      sin->sin_addr.s_addr != htonl(INADDR_LOOPBACK);
		}
		freeifaddrs(list);
	}
	atomic_store_explicit(&memo, now << 1 | (uint64_t)has,
			      memory_order_relaxed);
	return has;
}

/*
 * to4 turns an IPv6 answer for NAME into the IPv4 address an IPv4 program
 * is given: ::ffff:x -> x; inside a known NAT64 prefix (DNS64 synthesis)
 * -> the embedded IPv4; anything else -> a stand-in recording NAME.
 * Returns 1 with *ip (host order), 0 when the pool is full (it says so).
 */
static int to4(const uint8_t a[16], const char *name, uint32_t *ip)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, mapped, 12) == 0) {
		*ip = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
		      (uint32_t)a[14] << 8 | a[15];
		return 1;
	}
	if (t64_known_prefix(a, ip) != NULL)
		return 1;
	*ip = t64_pool_name_get(a, name);
	return *ip != 0;
}

/* add4 appends ip to l unless it is there already or l is full. */
static void add4(struct t64_names4 *l, uint32_t ip)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ip[i] == ip)
			return;
	if (l->n < T64_RESOLVE_MAX)
		l->ip[l->n++] = ip;
}

/* copy_name copies src into out (size bytes), truncated to fit. */
static void copy_name(char *out, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(out, src, n);
	out[n] = '\0';
}

#define FULL 4 /* beside T64_R_*: every answer needed a stand-in, the pool is full */

/*
 * own4 asks our own DNS client (through the NAT64) for NAME's IPv4
 * answers: its A records, else its AAAA records through to4. Returns
 * T64_R_OK with *out filled, another T64_R_*, or FULL.
 */
static int own4(const char *name, struct t64_names4 *out)
{
	struct t64_answer ans;
	int r = t64_resolve(name, T64_QA, &ans), full = 0;
	uint32_t ip;

	out->n = 0;
	if (r == T64_R_OK && ans.n > 0) {
		copy_name(out->name, sizeof out->name, ans.name[0] ? ans.name : name);
		for (size_t i = 0; i < ans.n && i < T64_RESOLVE_MAX; i++)
			if (to4(ans.addr[i], out->name, &ip))
				add4(out, ip);
		return out->n ? T64_R_OK : FULL;
	}
	if (r != T64_R_OK && r != T64_R_NODATA)
		return r;
	if ((r = t64_resolve(name, T64_QAAAA, &ans)) != T64_R_OK)
		return r;
	copy_name(out->name, sizeof out->name, ans.name[0] ? ans.name : name);
	for (size_t i = 0; i < ans.n && i < T64_RESOLVE_MAX; i++) {
		if (to4(ans.addr[i], out->name, &ip))
			add4(out, ip);
		else
			full = 1;
	}
	return out->n ? T64_R_OK : full ? FULL : T64_R_NODATA;
}

/* free_canon frees a canonical name taken off a getaddrinfo result. */
static void free_canon(char *canon)
{
#ifdef __GLIBC__
	free(canon); /* glibc allocates it apart; musl's sits in the result's block */
#else
	(void)canon;
#endif
}

/*
 * gai_standin answers an AF_INET getaddrinfo (hints h, flags already
 * without AI_ADDRCONFIG) that found no IPv4 address (rc4) from the name's
 * IPv6 addresses: the real AF_INET6 result, each node rewritten in place
 * as AF_INET (a sockaddr_in fits where the sockaddr_in6 was), so the
 * program's freeaddrinfo frees it as libc built it. A node that needs a
 * stand-in when the pool is full is taken out. Returns 0 with *res, rc4
 * when the name has no IPv6 address either, EAI_FAIL when the pool is
 * full for all of them.
 */
static int gai_standin(t64_fn_getaddrinfo *real, const char *node,
		       const char *service, const struct addrinfo *h,
		       struct addrinfo **res, int rc4)
{
	struct addrinfo h6 = *h, *r, **pp;
	char name[T64_POOL_NAME_MAX + 1], *canon;
	int full = 0;

	h6.ai_family = AF_INET6;
	h6.ai_flags &= ~(AI_ADDRCONFIG | AI_V4MAPPED | AI_ALL);
	h6.ai_flags |= AI_CANONNAME;
	if (real(node, service, &h6, &r) != 0)
		return rc4;
	canon = r->ai_canonname;
	r->ai_canonname = NULL;
	copy_name(name, sizeof name,
		  canon != NULL && strlen(canon) <= T64_POOL_NAME_MAX ? canon :
									 node);
	for (pp = &r; *pp != NULL;) {
		struct addrinfo *p = *pp;
		struct sockaddr_in6 sin6;
		struct sockaddr_in sin;
		uint32_t ip;

		if (p->ai_family == AF_INET6 && p->ai_addr != NULL &&
		    p->ai_addrlen >= sizeof sin6) {
			memcpy(&sin6, p->ai_addr, sizeof sin6);
			if (to4(sin6.sin6_addr.s6_addr, name, &ip)) {
				memset(&sin, 0, sizeof sin);
				sin.sin_family = AF_INET;
				sin.sin_port = sin6.sin6_port;
				sin.sin_addr.s_addr = htonl(ip);
				memset(p->ai_addr, 0, p->ai_addrlen);
				memcpy(p->ai_addr, &sin, sizeof sin);
				p->ai_addrlen = sizeof sin;
				p->ai_family = AF_INET;
				pp = &p->ai_next;
				continue;
			}
			full = 1;
		}
		*pp = p->ai_next;
		p->ai_next = NULL;
		freeaddrinfo(p);
	}
	if (r == NULL) {
		free_canon(canon);
		return full ? EAI_FAIL : rc4;
	}
	if (h->ai_flags & AI_CANONNAME)
		r->ai_canonname = canon;
	else
		free_canon(canon);
	*res = r;
	return 0;
}

/* One address of a result built from numbers; AF_INET ones in a[0..3]. */
struct num {
	int family;
	uint8_t a[16];
};

/*
 * gai_numeric builds a getaddrinfo result for v[0..n) (n > 0) out of the
 * real getaddrinfo of each address's text (AI_NUMERICHOST, the program's
 * service, socktype and protocol), so that libc's freeaddrinfo frees it;
 * NAME is the canonical name when AI_CANONNAME was asked for. glibc frees
 * a list node by node, so the per-address lists are chained; musl frees a
 * list through the block of its last node, so there only the first
 * address's list is returned (and its canonical name stays the number).
 * Returns 0 with *res, or the real call's error.
 */
static int gai_numeric(t64_fn_getaddrinfo *real, const struct num *v,
		       size_t n, const char *name, const char *service,
		       const struct addrinfo *h, struct addrinfo **res)
{
	struct addrinfo nh, *head = NULL, *one;
	char text[INET6_ADDRSTRLEN];
	int rc;

	memset(&nh, 0, sizeof nh);
	nh.ai_socktype = h->ai_socktype;
	nh.ai_protocol = h->ai_protocol;
	nh.ai_flags = (h->ai_flags & AI_NUMERICSERV) | AI_NUMERICHOST;
#ifdef __GLIBC__
	struct addrinfo **tail = &head;

	for (size_t i = 0; i < n; i++) {
		nh.ai_family = v[i].family;
		inet_ntop(v[i].family, v[i].a, text, sizeof text);
		if ((rc = real(text, service, &nh, &one)) != 0) {
			if (head != NULL)
				freeaddrinfo(head);
			return rc;
		}
		*tail = one;
		while (*tail != NULL)
			tail = &(*tail)->ai_next;
	}
	if ((h->ai_flags & AI_CANONNAME) &&
	    (head->ai_canonname = strdup(name)) == NULL) {
		freeaddrinfo(head);
		return EAI_MEMORY;
	}
#else
	(void)n;
	(void)name;
	nh.ai_flags |= h->ai_flags & AI_CANONNAME;
	nh.ai_family = v[0].family;
	inet_ntop(v[0].family, v[0].a, text, sizeof text);
	if ((rc = real(text, service, &nh, &one)) != 0)
		return rc;
	head = one;
#endif
	*res = head;
	return 0;
}

/* eai_of returns the getaddrinfo error for a T64_R_* (or FULL) result. */
static int eai_of(int r)
{
	switch (r) {
	case T64_R_NONAME:
		return EAI_NONAME;
	case T64_R_NODATA:
		return EAI_NODATA;
	case FULL:
		return EAI_FAIL;
	default:
		return EAI_AGAIN;
	}
}

/* add_num appends the IPv6 answers of ans (AF_INET for ::ffff:x) to v. */
static void add_num(struct num *v, size_t *n, const struct t64_answer *ans)
{
	for (size_t i = 0; i < ans->n && i < T64_RESOLVE_MAX; i++) {
		const uint8_t *a = ans->addr[i];
		int v4 = IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a);

		v[*n].family = v4 ? AF_INET : AF_INET6;
		memcpy(v[*n].a, v4 ? a + 12 : a, v4 ? 4 : 16);
		(*n)++;
	}
}

/*
 * gai_own answers a getaddrinfo (hints h) that libc's resolver could not
 * (EAI_AGAIN: its IPv4 nameservers are out of its reach) with our own DNS
 * client. AF_INET: the A records, else the AAAA records through to4.
 * AF_UNSPEC: the AAAA records as they are, then the A records (the order
 * glibc's RFC 6724 sort gives on a host without IPv4); no stand-ins.
 * Returns 0 with *res, or an EAI_* error.
 */
static int gai_own(t64_fn_getaddrinfo *real, const char *node,
		   const char *service, const struct addrinfo *h,
		   struct addrinfo **res)
{
	struct num v[2 * T64_RESOLVE_MAX];
	size_t n = 0;
	int r4, r6;

	if (h->ai_family == AF_INET) {
		struct t64_names4 l;

		if ((r4 = own4(node, &l)) != T64_R_OK)
			return eai_of(r4);
		for (; n < l.n; n++) {
			uint32_t be = htonl(l.ip[n]);

			v[n].family = AF_INET;
			memcpy(v[n].a, &be, 4);
		}
		return gai_numeric(real, v, n, l.name, service, h, res);
	}
	struct t64_answer a6, a4;

	r6 = t64_resolve(node, T64_QAAAA, &a6);
	r4 = t64_resolve(node, T64_QA, &a4);
	if (r6 == T64_R_OK)
		add_num(v, &n, &a6);
	if (r4 == T64_R_OK)
		add_num(v, &n, &a4);
	if (n == 0)
		return eai_of(r4 == T64_R_NONAME || r6 == T64_R_NONAME ?
					 T64_R_NONAME :
				 r4 == T64_R_AGAIN || r6 == T64_R_AGAIN ?
					 T64_R_AGAIN :
					 T64_R_NODATA);
	return gai_numeric(real, v, n,
			   r6 == T64_R_OK && a6.name[0] ? a6.name :
			   r4 == T64_R_OK && a4.name[0] ? a4.name :
							  node,
			   service, h, res);
}

/*
 * t64_gai is getaddrinfo under tnat64 (real: libc's). AF_INET: without
 * AI_ADDRCONFIG (the program has IPv4 through us even where the host has
 * none); no IPv4 answer -> the name's IPv6 addresses as IPv4 (to4).
 * AF_UNSPEC: AI_ADDRCONFIG dropped only when the host has no IPv4
 * address, so the A answers an IPv4 program filters for are there; AAAA
 * answers untouched; never stand-ins (slots are never freed, and a
 * dual-stack program has the IPv6 addresses). The flag goes for a NULL
 * node too: glibc fails AF_INET AI_PASSIVE|AI_ADDRCONFIG on such a host,
 * and the IPv4 server it is for binds through us. Either: EAI_AGAIN with
 * IPv4-only nameservers out of libc's reach -> our own DNS client. Other
 * families, numbers and AI_NUMERICHOST: as libc does. Returns 0 with *res
 * (freed by the program's freeaddrinfo), or an EAI_* error with errno as
 * libc left it.
 */
int t64_gai(t64_fn_getaddrinfo *real, const char *node, const char *service,
	    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h;
	int rc, out, saved;

	if (hints != NULL) {
		h = *hints;
	} else {
		memset(&h, 0, sizeof h);
#ifdef __GLIBC__
		h.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG; /* glibc's default */
#endif
	}
	if (h.ai_family != AF_INET && h.ai_family != AF_UNSPEC)
		return real(node, service, hints, res);
	if (h.ai_family == AF_INET ||
	    ((h.ai_flags & AI_ADDRCONFIG) && !host_has_ipv4())) {
		h.ai_flags &= ~AI_ADDRCONFIG;
		hints = &h;
	}
	rc = real(node, service, hints, res);
	if (rc == 0 || (h.ai_flags & AI_NUMERICHOST) || !is_name(node))
		return rc;
	saved = errno;
	out = rc;
	if (rc == EAI_AGAIN && t64_resolve_needed())
		out = gai_own(real, node, service, &h, res);
	else if (h.ai_family == AF_INET &&
		 (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY))
		out = gai_standin(real, node, service, &h, res, rc);
	if (out == rc)
		errno = saved;
	return out;
}

/*
 * t64_lookup4 finds IPv4 answers for NAME after libc's IPv4 lookup (the
 * gethostbyname family) failed with h_errno herr: HOST_NOT_FOUND or
 * NO_DATA -> the name's IPv6 addresses through to4; TRY_AGAIN with
 * IPv4-only nameservers out of libc's reach -> our own DNS client.
 * Returns 0 with *out filled, or the h_errno to report (herr; our own
 * client's verdict; NO_RECOVERY when the pool is full).
 */
int t64_lookup4(const char *name, int herr, struct t64_names4 *out)
{
	t64_fn_getaddrinfo *real = T64_REAL(getaddrinfo);
	struct addrinfo h, *r;
	int full = 0, saved = errno;
	uint32_t ip;

	out->n = 0;
	if (!is_name(name) || real == NULL)
		return herr;
	if (herr == TRY_AGAIN) {
		int k = t64_resolve_needed() ? own4(name, out) : T64_R_AGAIN;

		errno = saved;
		return k == T64_R_OK ? 0 : k == FULL ? NO_RECOVERY :
		       k == T64_R_NONAME ? HOST_NOT_FOUND :
		       k == T64_R_NODATA ? NO_DATA : TRY_AGAIN;
	}
	if (herr != HOST_NOT_FOUND && herr != NO_DATA)
		return herr;
	memset(&h, 0, sizeof h);
	h.ai_family = AF_INET6;
	h.ai_socktype = SOCK_STREAM;
	h.ai_flags = AI_CANONNAME;
	if (real(name, NULL, &h, &r) != 0) {
		errno = saved;
		return herr;
	}
	copy_name(out->name, sizeof out->name,
		  r->ai_canonname != NULL ? r->ai_canonname : name);
	for (struct addrinfo *p = r; p != NULL; p = p->ai_next) {
		struct sockaddr_in6 sin6;

		if (p->ai_family != AF_INET6 || p->ai_addr == NULL ||
		    p->ai_addrlen < sizeof sin6)
			continue;
		memcpy(&sin6, p->ai_addr, sizeof sin6);
		if (to4(sin6.sin6_addr.s6_addr, out->name, &ip))
			add4(out, ip);
		else
			full = 1;
	}
	freeaddrinfo(r);
	errno = saved;
	return out->n ? 0 : full ? NO_RECOVERY : herr;
}

/*
 * t64_hostent lays out l as an AF_INET hostent in he, its arrays, addresses
 * and name in buf (len bytes). Returns 0, or ERANGE when buf is too small
 * (T64_HOSTBUF always suffices).
 */
int t64_hostent(const struct t64_names4 *l, struct hostent *he, char *buf,
		size_t len)
{
	size_t pad = (size_t)(-(uintptr_t)buf & (_Alignof(char *) - 1));
	size_t nl = strlen(l->name) + 1;
	size_t need = pad + sizeof(char *) * (l->n + 2) + 4 * l->n + nl;
	char **aliases, **addrs, *a, *name;

	if (len < need)
		return ERANGE;
	aliases = (char **)(void *)(buf + pad);
	addrs = aliases + 1;
	a = (char *)(addrs + l->n + 1);
	name = a + 4 * l->n;
	aliases[0] = NULL;
	for (size_t i = 0; i < l->n; i++) {
		uint32_t be = htonl(l->ip[i]);

		memcpy(a + 4 * i, &be, 4);
		addrs[i] = a + 4 * i;
	}
	addrs[l->n] = NULL;
	memcpy(name, l->name, nl);
	he->h_name = name;
	he->h_aliases = aliases;
	he->h_addrtype = AF_INET;
	he->h_length = 4;
	he->h_addr_list = addrs;
	return 0;
}

/* The hostent gethostbyname/gethostbyaddr return: one per thread (glibc's is one per process). */
static __thread struct {
	struct hostent he;
	char buf[T64_HOSTBUF];
} tls_host;

/*
 * t64_host_static returns l as the thread's hostent, or NULL with h_errno
 * herr when herr is not 0.
 */
struct hostent *t64_host_static(const struct t64_names4 *l, int herr)
{
	if (herr != 0) {
		h_errno = herr;
		return NULL;
	}
	t64_hostent(l, &tls_host.he, tls_host.buf, sizeof tls_host.buf);
	return &tls_host.he;
}

/*
 * t64_host_r finishes a reentrant lookup: l (when herr is 0) laid out in
 * the caller's ret/buf; else the failure herr. rc: what libc's call
 * returned. Returns 0 with *result = ret; ERANGE (errno too, h_errno
 * NETDB_INTERNAL) when buf is too small; else *result NULL, *h_errnop =
 * herr and, as glibc, 0 for a name that is not there, rc otherwise. The
 * global h_errno is set too, as glibc does (threaded perl reads it).
 */
int t64_host_r(const struct t64_names4 *l, int herr, int rc,
	       struct hostent *ret, char *buf, size_t len,
	       struct hostent **result, int *h_errnop)
{
	*result = NULL;
	if (herr != 0) {
		*h_errnop = h_errno = herr;
		return herr == HOST_NOT_FOUND || herr == NO_DATA ? 0 : rc;
	}
	if (t64_hostent(l, ret, buf, len) != 0) {
		*h_errnop = h_errno = NETDB_INTERNAL;
		errno = ERANGE;
		return ERANGE;
	}
	*result = ret;
	return 0;
}

/*
 * t64_standin_of returns 1 with *ip (host order) when (addr, len, type) is
 * an AF_INET address that is a stand-in in use, else 0.
 */
int t64_standin_of(const void *addr, socklen_t len, int type, uint32_t *ip)
{
	uint8_t a6[16];
	uint32_t be;

	if (addr == NULL || type != AF_INET || len < 4)
		return 0;
	memcpy(&be, addr, 4);
	*ip = ntohl(be);
	return t64_pool_is(*ip) && t64_pool_addr(*ip, a6);
}

/*
 * reverse6 writes into name the reverse lookup of stand-in ip's IPv6
 * address (port: what the caller's address had). Returns 1, or 0 when
 * there is none.
 */
static int reverse6(uint32_t ip, in_port_t port, char *name, size_t len)
{
	t64_fn_getnameinfo *real = T64_REAL(getnameinfo);
	struct sockaddr_in6 sin6;
	int saved = errno, ok;

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = port;
	if (real == NULL || !t64_pool_addr(ip, sin6.sin6_addr.s6_addr))
		return 0;
	ok = real((struct sockaddr *)&sin6, sizeof sin6, name,
		  (socklen_t)len, NULL, 0, NI_NAMEREQD) == 0;
	errno = saved;
	return ok;
}

/*
 * t64_standin_names fills *out for a gethostbyaddr of stand-in ip: the
 * name a lookup recorded for it, else (a peer's stand-in) the reverse
 * lookup of its IPv6 address; the stand-in itself as the one address.
 * Returns 0, or HOST_NOT_FOUND.
 */
int t64_standin_names(uint32_t ip, struct t64_names4 *out)
{
	out->n = 1;
	out->ip[0] = ip;
	if (t64_pool_name(ip, out->name, sizeof out->name) ||
	    reverse6(ip, 0, out->name, sizeof out->name))
		return 0;
	return HOST_NOT_FOUND;
}

/*
 * t64_gni is getnameinfo under tnat64 (real: libc's). The host of a
 * sockaddr_in stand-in in use, unless NI_NUMERICHOST: the name a lookup
 * recorded for it; else the reverse lookup of its IPv6 address; else
 * EAI_NONAME with NI_NAMEREQD, the stand-in's number without. The service
 * always from libc. Everything else: libc's answer.
 */
int t64_gni(t64_fn_getnameinfo *real, const struct sockaddr *sa,
	    socklen_t salen, char *host, socklen_t hostlen, char *serv,
	    socklen_t servlen, int flags)
{
	struct sockaddr_in sin;
	char name[256];
	uint32_t ip;
	size_t n;
	int rc;

	if (sa == NULL || salen < sizeof sin || sa->sa_family != AF_INET ||
	    host == NULL || hostlen == 0 || (flags & NI_NUMERICHOST))
		return real(sa, salen, host, hostlen, serv, servlen, flags);
	memcpy(&sin, sa, sizeof sin);
	if (!t64_standin_of(&sin.sin_addr, 4, AF_INET, &ip))
		return real(sa, salen, host, hostlen, serv, servlen, flags);
	if (!t64_pool_name(ip, name, sizeof name) &&
	    !reverse6(ip, sin.sin_port, name, sizeof name)) {
		if (flags & NI_NAMEREQD)
			return EAI_NONAME;
		inet_ntop(AF_INET, &sin.sin_addr, name, sizeof name);
	}
	if (serv != NULL && servlen > 0 &&
	    (rc = real(sa, salen, NULL, 0, serv, servlen, flags)) != 0)
		return rc;
	if ((n = strlen(name)) >= hostlen)
		return EAI_OVERFLOW;
	memcpy(host, name, n + 1);
	return 0;
}
