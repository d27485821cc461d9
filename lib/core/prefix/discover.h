/* RFC 7050 discovery with a small DNS client of our own, once per TTL. */
#ifndef T64_DISCOVER_H
#define T64_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

#define T64_MAX_PREFIXES 8
#define T64_NEGATIVE_TTL 60

/* One result, immutable once published; older ones stay reachable. */
struct t64_disc {
	size_t n;
	struct t64_prefix p[T64_MAX_PREFIXES];
	uint32_t ttl;
	uint32_t expires; /* t64_now() seconds */
	const struct t64_disc *prev;
};

const struct t64_disc *t64_discovered(int run);
const struct t64_disc *t64_discover_answer(const uint8_t *msg, int len,
					   const struct t64_disc *prev);

#endif
