/* Name lookups through the NAT64 to IPv4-only nameservers, without glibc's resolver. */
#ifndef T64_RESOLVE_H
#define T64_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define T64_QA 1
#define T64_QAAAA 28
#define T64_RESOLVE_MAX 16
struct t64_answer { size_t n; uint8_t addr[T64_RESOLVE_MAX][16]; char name[256]; }; /* A answers as ::ffff:a.b.c.d; name = the canonical name: the end of the CNAME chain of the name that answered (after search-list expansion) */
enum { T64_R_OK = 0, T64_R_NONAME = 1, T64_R_NODATA = 2, T64_R_AGAIN = 3 };
/* 1 when glibc's own resolver cannot reach any nameserver and we can: every resolv.conf nameserver is IPv4 (or there
 * are none but the implicit 127.0.0.1? -> then 0: loopback works), the host has no IPv4 route to them, and a NAT64
 * prefix is known (TNAT64_PREFIX / config / discovered). Cheap after the first call (re-read resolv.conf at most
 * every few seconds, or on mtime change). */
int t64_resolve_needed(void);
/* Asks for NAME's records of TYPE, IPv4 nameservers reached at their NAT64 address (RFC 6052 with the prefix the
 * library would use for them), through the real socket calls. Honours resolv.conf search/domain, ndots, timeout and
 * attempts (bounded: never more than ~10 s total whatever the file says), names ending in '.'; follows the CNAME
 * chain inside the answer; checks id, QR, question; rejects malformed answers without reading out of bounds. */
int t64_resolve(const char *name, int type, struct t64_answer *ans);

/* Shared with discovery (discover.c): resolv.conf and one bounded exchange. */
#define T64_MAXNS 3	  /* nameservers used, as glibc's MAXNS */
#define T64_MAXDNSRCH 6	  /* search domains, as glibc */
#define T64_RESOLV_CONF "/etc/resolv.conf"

/* One nameserver, port 53. */
struct t64_ns {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} a;
	socklen_t len;
};

/* What resolv.conf (and LOCALDOMAIN, RES_OPTIONS) say, as glibc reads them. */
struct t64_resolv_conf {
	int nns;       /* 0: the file names none (glibc then asks 127.0.0.1) */
	struct t64_ns ns[T64_MAXNS];
	int nsearch;
	char search[256]; /* the domains, each '\0'-terminated, in order */
	int ndots, timeout, attempts;
};

void t64_resolv_conf_read(struct t64_resolv_conf *rc);
uint16_t t64_query_id(void);
int t64_dns_ask(const struct t64_ns *s, const uint8_t *q, size_t qlen,
		uint8_t *buf, size_t size, long wait_ms);

#endif
