/*
 * libFuzzer target: the RFC 7050 DNS answer reader (lib/core/rfc7050.c) on
 * any bytes, then prefix learning from what it collected. Checks that the
 * counts stay within the bounds given and every prefix has a valid length.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/core/rfc7050.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ans[T64_MAX_ANSWERS][16];
	struct t64_prefix pfx[T64_MAX_ANSWERS];
	size_t n = 0, np;
	uint32_t ttl = 0;

	/* On error the caller (discover.c) uses nothing. */
	if (t64_dns_aaaa(data, size, ans, T64_MAX_ANSWERS, &n, &ttl) < 0)
		return 0;
	if (n > T64_MAX_ANSWERS || ttl > 0x7fffffffu)
		abort();
	np = t64_rfc7050_prefixes((const uint8_t(*)[16])ans, n, pfx, T64_MAX_ANSWERS);
	if (np > n)
		abort();
	for (size_t i = 0; i < np; i++) {
		unsigned l = pfx[i].len;

		if (l != 32 && l != 40 && l != 48 && l != 56 && l != 64 && l != 96)
			abort();
	}
	return 0;
}
