/* DNS messages (RFC 1035) for our own queries, and RFC 7050 prefix learning. */
#ifndef T64_RFC7050_H
#define T64_RFC7050_H

#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

#define T64_MAX_ANSWERS 16
#define T64_DNS_NAME_MAX 255 /* a name in wire form, root label included */
#define T64_DNS_QMAX (12 + T64_DNS_NAME_MAX + 4) /* one question, no EDNS */

/* What an answer to our query says (t64_dns_answer). */
enum t64_dns_rc {
	T64_DNS_OK,	  /* records of the type asked for */
	T64_DNS_NXDOMAIN, /* the name (or the end of its CNAME chain) does not exist */
	T64_DNS_NODATA,	  /* it exists, without records of that type */
	T64_DNS_SERVFAIL, /* SERVFAIL, REFUSED, NOTIMP...: ask the next server */
	T64_DNS_IGNORE,	  /* not an answer to this query, or malformed */
};

int t64_dns_wire(const char *name, size_t n, const char *suffix,
		 uint8_t out[T64_DNS_NAME_MAX]);
size_t t64_dns_query(uint8_t q[T64_DNS_QMAX], uint16_t id, const uint8_t *qname,
		     size_t qlen, int qtype);
/* canon (may be NULL): the name the records were found under, the end of
 * the CNAME chain, as text in lower case. */
int t64_dns_answer(const uint8_t *msg, size_t len, const uint8_t *q,
		   size_t qlen, uint8_t (*out)[16], size_t max, size_t *n,
		   char canon[T64_DNS_NAME_MAX]);

int t64_dns_aaaa(const uint8_t *msg, size_t len, uint8_t (*out)[16],
		 size_t max, size_t *n, uint32_t *ttl);
size_t t64_rfc7050_prefixes(const uint8_t (*ans)[16], size_t n,
			    struct t64_prefix *out, size_t max);

#endif
