/* The DNS client: resolv.conf as glibc reads it, and one bounded query-answer exchange through the real socket calls. */
#ifndef T64_RESOLVE_H
#define T64_RESOLVE_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define T64_QA 1
#define T64_QAAAA 28
#define T64_RESOLVE_MAX 16
struct t64_answer { size_t n; uint8_t addr[T64_RESOLVE_MAX][16]; char name[256]; }; /* A answers as ::ffff:a.b.c.d; name = the canonical name: the end of the CNAME chain of the name that answered (after search-list expansion) */
enum { T64_R_OK = 0, T64_R_NONAME = 1, T64_R_NODATA = 2, T64_R_AGAIN = 3 };

#define T64_MAXNS 3	  /* nameservers used, as glibc's MAXNS */
#define T64_MAXDNSRCH 6	  /* search domains, as glibc */
#define T64_RESOLV_CONF "/etc/resolv.conf"
#define T64_DNS_ANSWER_MAX 4096 /* the longest answer read, over UDP (the whole datagram) or TCP */
#define T64_DNS_BEAT_MS 250	/* a wait with a beat word stores the time this often */

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
		uint8_t *buf, size_t size, long wait_ms, _Atomic uint64_t *beat);

#endif
