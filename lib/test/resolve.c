/*
 * Lookups through the NAT64 to IPv4-only nameservers (lib/core/dns/client.c),
 * linked with the core objects. `resolve unit` reads crafted messages
 * (no network). The other cases run in a network namespace and a private
 * mount namespace made by run.sh: /etc/resolv.conf is a bind-mounted file
 * this program rewrites, TNAT64_PREFIX=2001:db8:64::/96, and lib/test/
 * resolver.py answers at 2001:db8:64::c000:235 (192.0.2.53 through NAT64)
 * and stays silent at 2001:db8:64::c000:263 (192.0.2.99).
 * Prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calls/resolve.h"
#include "dns/wire.h"
#include "check.h"
#include "net.h"

#define ZONE "192.0.2.53"
#define SILENT "192.0.2.99"

/* conf writes /etc/resolv.conf (the private copy run.sh bound there). */
static void conf(const char *text)
{
	FILE *f = fopen("/etc/resolv.conf", "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror("/etc/resolv.conf");
		exit(2);
	}
}

/* is4 returns 1 when a is ::ffff:ip. */
static int is4(const uint8_t a[16], const char *ip)
{
	uint8_t want[16] = { [10] = 0xff, [11] = 0xff };

	inet_pton(AF_INET, ip, want + 12);
	return memcmp(a, want, 16) == 0;
}

/* lookup runs t64_resolve with errno set to a marker; *ms gets the time taken. */
static int lookup(const char *name, int type, struct t64_answer *a, long *ms)
{
	struct timespec t0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 4242;
	r = t64_resolve(name, type, a);
	CHECK(errno == 4242, "%s: errno preserved (%d)", name, errno);
	if (ms != NULL)
		*ms = ms_since(&t0);
	return r;
}

/* put appends n bytes to a message being built. */
static size_t put(uint8_t *m, size_t o, const void *p, size_t n)
{
	memcpy(m + o, p, n);
	return o + n;
}

/* rr appends a record: owner (wire or pointer bytes), type, rdata. */
static size_t rr(uint8_t *m, size_t o, const void *owner, size_t ol, int type,
		 const void *rd, size_t rdl)
{
	uint8_t h[10] = { 0, (uint8_t)type, 0, 1, 0, 0, 1, 0, 0, (uint8_t)rdl };

	o = put(m, o, owner, ol);
	o = put(m, o, h, 10);
	return put(m, o, rd, rdl);
}

/*
 * case_unit: names to wire form; answers read and checked against the
 * query; every truncation, wrong ids and questions, bad pointers, CNAME
 * loops; the answer cap.
 */
static void case_unit(int argc, char **argv)
{
	uint8_t w[T64_DNS_NAME_MAX], q[T64_DNS_QMAX], m[1024], out[T64_RESOLVE_MAX][16];
	char big[300];
	size_t ql, ml, n, full;
	uint8_t ptr_q[2] = { 0xc0, 12 }, ptr_t[2], ip[4] = { 192, 0, 2, 10 };
	int r;

	(void)argc;
	(void)argv;
	CHECK(t64_dns_wire("a", 1, "b.", w) == 5 && memcmp(w, "\1a\1b\0", 5) == 0,
	      "a + b.");
	CHECK(t64_dns_wire("host.test", 9, NULL, w) == 11, "host.test");
	CHECK(t64_dns_wire("a..b", 4, NULL, w) < 0, "empty label");
	CHECK(t64_dns_wire(".a", 2, NULL, w) < 0, "leading dot");
	CHECK(t64_dns_wire("a.", 2, NULL, w) < 0, "a.. (the caller took one dot)");
	CHECK(t64_dns_wire("a\\.b", 4, NULL, w) < 0, "no escapes");
	memset(big, 'x', sizeof big);
	CHECK(t64_dns_wire(big, 63, NULL, w) == 65, "63-byte label");
	CHECK(t64_dns_wire(big, 64, NULL, w) < 0, "64-byte label");
	for (int i = 63; i < 253; i += 64)
		big[i] = '.';
	CHECK(t64_dns_wire(big, 253, NULL, w) == 255, "253 characters: 255 bytes");
	CHECK(t64_dns_wire(big, 253, "z", w) < 0, "too long with a suffix");

	/* alias.test CNAME host.test (compressed), host.test A, other A. */
	ql = t64_dns_query(q, 0x1234, (const uint8_t *)"\5alias\4test", 12, 1);
	CHECK(ql == 12 + 12 + 4 && q[0] == 0x12 && q[1] == 0x34 && q[2] == 1 &&
		      q[5] == 1 && q[ql - 3] == 1 && q[ql - 1] == 1,
	      "query layout");
	memcpy(m, q, ql);
	m[2] = 0x81;
	m[3] = 0x80;
	m[7] = 3;
	m[12] = 5; /* letter case differs: still the same question */
	memcpy(m + 13, "ALIAS", 5);
	ml = ql;
	{
		size_t cname_at = ml + 12; /* rdata of the CNAME */

		ml = rr(m, ml, ptr_q, 2, 5, "\4host\300\22", 7);
		ptr_t[0] = 0xc0;
		ptr_t[1] = (uint8_t)cname_at;
		ml = rr(m, ml, "\5other\300\22", 8, 1, "\300\0\2\143", 4);
		ml = rr(m, ml, ptr_t, 2, 1, ip, 4);
	}
	full = ml;
	r = t64_dns_answer(m, ml, q, ql, out, T64_RESOLVE_MAX, &n, NULL);
	CHECK(r == T64_DNS_OK && n == 1 && is4(out[0], "192.0.2.10"),
	      "CNAME followed, other owner ignored: %d, %zu", r, n);
	for (size_t l = 0; l < full; l++) {
		r = t64_dns_answer(m, l, q, ql, out, T64_RESOLVE_MAX, &n, NULL);
		if (r != T64_DNS_IGNORE || n != 0)
			CHECK(0, "truncated at %zu: %d", l, r);
	}
	CHECK(1, "every truncation ignored");
	r = t64_dns_answer(m, ml, q, ql, NULL, 0, &n, NULL);
	CHECK(r == T64_DNS_NODATA && n == 0, "max 0: nothing written");
	m[1] ^= 1;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "wrong id");
	m[1] ^= 1;
	m[2] &= 0x7f;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "QR clear");
	m[2] |= 0x80;
	m[ql - 3] = 28;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "other qtype");
	m[ql - 3] = 1;
	m[14] = 'x';
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "other qname");
	m[14] = 'l';
	m[5] = 0;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "no question");
	m[5] = 1;
	m[3] = 0x83;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_NXDOMAIN, "NXDOMAIN");
	m[3] = 0x82;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_SERVFAIL, "SERVFAIL");
	m[3] = 0x85;
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_SERVFAIL, "REFUSED");
	m[3] = 0x80;
	/* The CNAME's target made a pointer to itself, then a forward one. */
	m[ql + 12 + 5] = (uint8_t)(ql + 12 + 5);
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "pointer loop");
	m[ql + 12 + 5] = (uint8_t)(ql + 12 + 7);
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_IGNORE, "forward pointer");
	m[ql + 12 + 5] = 0x12;

	/* loop.test CNAME loop.test: no hang, no data. */
	ql = t64_dns_query(q, 7, (const uint8_t *)"\4loop\4test", 11, 1);
	memcpy(m, q, ql);
	m[2] = 0x81;
	m[3] = 0x80;
	m[7] = 1;
	ml = rr(m, ql, ptr_q, 2, 5, ptr_q, 2);
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_NODATA, "CNAME loop");

	/* 40 A records: 16 kept; AAAA records of the wrong size skipped. */
	m[7] = 40;
	ml = ql;
	for (int i = 0; i < 40; i++) {
		ip[3] = (uint8_t)i;
		ml = rr(m, ml, ptr_q, 2, 1, ip, 4);
	}
	CHECK(t64_dns_answer(m, ml, q, ql, out, T64_RESOLVE_MAX, &n, NULL) == T64_DNS_OK &&
		      n == T64_RESOLVE_MAX && is4(out[15], "192.0.2.15"),
	      "16 answers kept");
	ql = t64_dns_query(q, 7, (const uint8_t *)"\4loop\4test", 11, 28);
	memcpy(m, q, ql);
	m[2] = 0x81;
	m[3] = 0x80;
	m[7] = 2;
	ml = rr(m, ql, ptr_q, 2, 28, ip, 4);
	ml = rr(m, ml, ptr_q, 2, 28, "\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	CHECK(t64_dns_answer(m, ml, q, ql, out, 16, &n, NULL) == T64_DNS_OK && n == 1 &&
		      out[0][0] == 0x20 && out[0][15] == 1,
	      "AAAA of 4 bytes skipped");
}

/* check_conf: resolv.conf as glibc reads it, environment included. */
static void check_conf(void)
{
	struct t64_resolv_conf rc;
	char host[256];

	conf("# comment\n; comment\nnameserver 192.0.2.53\nnameserver 2001:db8::53%1\n"
	     "domain one.test\nsearch a.test b.test  \t c.test\n"
	     "options ndots:20 timeout:99 attempts:0 rotate\nnameserver 192.0.2.54\n"
	     "nameserver 192.0.2.55\n");
	unsetenv("LOCALDOMAIN");
	unsetenv("RES_OPTIONS");
	t64_resolv_conf_read(&rc);
	CHECK(rc.nns == 3 && rc.ns[0].a.sa.sa_family == AF_INET &&
		      rc.ns[1].a.sa.sa_family == AF_INET6 &&
		      rc.ns[1].a.in6.sin6_scope_id == 1 &&
		      rc.ns[2].a.in.sin_addr.s_addr == inet_addr("192.0.2.54"),
	      "three nameservers: %d", rc.nns);
	CHECK(rc.nsearch == 3 && strcmp(rc.search, "a.test") == 0 &&
		      strcmp(rc.search + 7, "b.test") == 0 &&
		      strcmp(rc.search + 14, "c.test") == 0,
	      "the last of domain/search wins: %d", rc.nsearch);
	CHECK(rc.ndots == 15 && rc.timeout == 30 && rc.attempts == 1,
	      "options capped: %d %d %d", rc.ndots, rc.timeout, rc.attempts);
	setenv("LOCALDOMAIN", "x.test y.test", 1);
	setenv("RES_OPTIONS", "ndots:2 attempts:3", 1);
	t64_resolv_conf_read(&rc);
	CHECK(rc.nsearch == 2 && strcmp(rc.search, "x.test") == 0 && rc.ndots == 2 &&
		      rc.attempts == 3 && rc.timeout == 30,
	      "LOCALDOMAIN, RES_OPTIONS");
	unsetenv("LOCALDOMAIN");
	unsetenv("RES_OPTIONS");
	conf("");
	t64_resolv_conf_read(&rc);
	CHECK(rc.nns == 0 && rc.ndots == 1 && rc.timeout == 5 && rc.attempts == 2,
	      "defaults");
	if (gethostname(host, sizeof host) == 0 && strchr(host, '.') == NULL)
		CHECK(rc.nsearch == 0, "no domain, no search");
}

/* check_needed: when glibc cannot reach the nameservers and we can. */
static void check_needed(int want_ipv4_only)
{
	conf("nameserver " ZONE "\nnameserver " SILENT "\n");
	CHECK(t64_resolve_needed() == want_ipv4_only, "IPv4 nameservers");
	conf("nameserver 127.0.0.53\n");
	CHECK(t64_resolve_needed() == 0, "loopback nameserver");
	conf("nameserver " ZONE "\nnameserver 2001:db8::53\n");
	CHECK(t64_resolve_needed() == 0, "an IPv6 nameserver too");
	conf("# none\n");
	CHECK(t64_resolve_needed() == 0, "none (glibc asks 127.0.0.1)");
	conf("nameserver " ZONE "\n");
	CHECK(t64_resolve_needed() == want_ipv4_only, "file changed: read again");
	CHECK(t64_resolve_needed() == want_ipv4_only, "cached");
}

/* ports reads the source ports the responder logged; returns how many. */
static int ports(const char *log, unsigned p[64], unsigned id[64])
{
	FILE *f = fopen(log, "r");
	int n = 0;
	char name[256];
	unsigned t;

	while (f != NULL && n < 64 && fscanf(f, "%u %u %255s %u", &p[n], &id[n], name, &t) == 4)
		n++;
	if (f != NULL)
		fclose(f);
	return n;
}

/* check_lookups: answers through the NAT64 address of the nameserver. */
static void check_lookups(const char *log)
{
	struct t64_answer a;
	long ms;
	int r;
	unsigned p[64], id[64];
	int np, distinct_ports = 1, distinct_ids = 0;

	conf("nameserver " ZONE "\noptions timeout:1 attempts:1\n");
	r = lookup("host.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == 2 && is4(a.addr[0], "192.0.2.10") &&
		      is4(a.addr[1], "192.0.2.11") && strcmp(a.name, "host.test") == 0,
	      "A: %d %zu %s", r, a.n, a.name);
	r = lookup("HoSt.TeSt.", T64_QAAAA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == 1 && a.addr[0][0] == 0x20 && a.addr[0][15] == 0x10 &&
		      strcmp(a.name, "HoSt.TeSt") == 0,
	      "AAAA, absolute, letter case: %d %zu %s", r, a.n, a.name);
	r = lookup("alias.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == 2 && is4(a.addr[0], "192.0.2.10") &&
		      strcmp(a.name, "host.test") == 0,
	      "CNAME chain, canonical name at its end: %d %zu %s", r, a.n, a.name);
	CHECK(lookup("loop1.test", T64_QA, &a, NULL) == T64_R_NODATA, "CNAME loop: no data");
	CHECK(lookup("nosuch.test", T64_QA, &a, NULL) == T64_R_NONAME && a.n == 0, "NXDOMAIN");
	CHECK(lookup("v4only.test", T64_QAAAA, &a, NULL) == T64_R_NODATA && a.n == 0, "NODATA");
	r = lookup("servfail.test", T64_QA, &a, &ms);
	CHECK(r == T64_R_AGAIN && ms < 500, "SERVFAIL: again, at once: %d %ld ms", r, ms);
	r = lookup("wrongfirst.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == 1 && is4(a.addr[0], "192.0.2.30"),
	      "wrong id, wrong question, truncated, QR clear: all ignored: %d", r);
	r = lookup("onlywrong.test", T64_QA, &a, &ms);
	CHECK(r == T64_R_AGAIN && ms >= 900 && ms < 2500, "only bad answers: timeout: %d %ld ms", r, ms);
	r = lookup("tc.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == T64_RESOLVE_MAX && is4(a.addr[0], "192.0.2.41") &&
		      is4(a.addr[15], "192.0.2.56"),
	      "truncated over UDP: TCP: %d %zu", r, a.n);
	CHECK(lookup("bad..name", T64_QA, &a, NULL) == T64_R_NONAME, "invalid name");
	CHECK(lookup("host.test", 12, &a, NULL) == T64_R_NONAME, "PTR not asked");

	/* Search list and ndots. */
	CHECK(truncate(log, 0) == 0, "log emptied");
	conf("nameserver " ZONE "\nsearch corp.test example.test\noptions ndots:2 timeout:1 attempts:1\n");
	r = lookup("www", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && is4(a.addr[0], "192.0.2.20") && strcmp(a.name, "www.example.test") == 0,
	      "search: %d %s", r, a.name);
	CHECK(lookup("www.", T64_QA, &a, NULL) == T64_R_NONAME, "absolute: no search");
	r = lookup("host.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && strcmp(a.name, "host.test") == 0, "fewer dots than ndots: as given last: %s", a.name);
	r = lookup("a.b.c", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && is4(a.addr[0], "192.0.2.21") && strcmp(a.name, "a.b.c") == 0,
	      "ndots dots: as given first: %s", a.name);
	conf("nameserver " ZONE "\nsearch corp.test example.test\noptions ndots:3 timeout:1 attempts:1\n");
	r = lookup("a.b.c", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && is4(a.addr[0], "192.0.2.22") && strcmp(a.name, "a.b.c.corp.test") == 0,
	      "ndots:3: search first: %s", a.name);
	np = ports(log, p, id);
	CHECK(np >= 8, "queries logged: %d", np);
	for (int i = 0; i < np; i++)
		for (int j = 0; j < i; j++) {
			distinct_ports &= p[i] != p[j];
			distinct_ids |= id[i] != id[j];
		}
	CHECK(distinct_ports && distinct_ids, "a fresh source port per query, ids vary");

	/* Silent servers. */
	conf("nameserver " SILENT "\nnameserver " ZONE "\noptions timeout:1 attempts:1\n");
	r = lookup("host.test", T64_QA, &a, &ms);
	CHECK(r == T64_R_OK && a.n == 2 && ms >= 900 && ms < 2500,
	      "second server after a silent first: %d %ld ms", r, ms);
	conf("nameserver " SILENT "\noptions timeout:1 attempts:2\nsearch corp.test\n");
	r = lookup("host", T64_QA, &a, &ms);
	CHECK(r == T64_R_AGAIN && ms >= 1900 && ms < 3500,
	      "silent: timeout x attempts, no search after a timeout: %d %ld ms", r, ms);
	conf("nameserver " SILENT "\nnameserver " SILENT "\noptions timeout:30 attempts:5\n");
	r = lookup("host.test", T64_QA, &a, &ms);
	CHECK(r == T64_R_AGAIN && ms >= 9500 && ms < 11000, "bounded at 10 s: %d %ld ms", r, ms);
}

/* case_quick: one lookup, the prefix coming from wherever run.sh put it. */
static void case_quick(int argc, char **argv)
{
	struct t64_answer a;
	int r;

	(void)argc;
	(void)argv;
	conf("nameserver " ZONE "\noptions timeout:1 attempts:1\n");
	CHECK(t64_resolve_needed() == 1, "needed");
	r = lookup("host.test", T64_QA, &a, NULL);
	CHECK(r == T64_R_OK && a.n == 2 && is4(a.addr[0], "192.0.2.10"), "A: %d %zu", r, a.n);
}

/* case_lookups LOG: resolv.conf read, lookups needed, answers through the NAT64 (LOG: the responder's). */
static void case_lookups(int argc, char **argv)
{
	(void)argc;
	check_conf();
	check_needed(1);
	check_lookups(argv[0]);
}

/* case_needed0: lookups of our own not needed (no prefix, or an IPv4 route). */
static void case_needed0(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	check_needed(0);
}

static const struct t_case cases[] = {
	{ "unit", 0, case_unit },
	{ "lookups", 1, case_lookups },
	{ "quick", 0, case_quick },
	{ "needed0", 0, case_needed0 },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
