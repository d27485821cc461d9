/* RFC 7050: reading a DNS answer for ipv4only.arpa and learning prefixes. */
#ifndef T64_RFC7050_H
#define T64_RFC7050_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define T64_MAX_ANSWERS 16

int t64_dns_aaaa(const uint8_t *msg, size_t len, uint8_t (*out)[16],
		 size_t max, size_t *n, uint32_t *ttl);
size_t t64_rfc7050_prefixes(const uint8_t (*ans)[16], size_t n,
			    struct t64_prefix *out, size_t max);

#endif
