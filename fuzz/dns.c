/*
 * libFuzzer target: the DNS readers of lib/core/dns/wire.c on any bytes.
 * The RFC 7050 answer reader, then prefix learning from what it collected:
 * counts within the bounds given, every prefix of a valid length. The
 * lookup answer reader (t64_dns_answer, used by resolve.c) against a query
 * made of the input's own header and first question, so inputs reach the
 * records: a result of the enum, no more answers than allowed, A answers
 * IPv4-mapped. The text-to-wire name writer on the input as text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/wire.h"

/*
 * lookup_answer builds the query data's header and first question would
 * be (uncompressed name), else a fixed one, and reads data as its answer.
 */
static void lookup_answer(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[] = "\0\0\1\0\0\1\0\0\0\0\0\0\4host\4test\0\0\1\0\1";
	uint8_t q[T64_DNS_QMAX], out[4][16];
	size_t off = 12, qlen, n = 99;
	int r;

	while (off < size && off < 12 + T64_DNS_NAME_MAX && data[off] != 0 &&
	       data[off] < 64)
		off += 1 + data[off];
	if (off < size && off + 5 <= size && off + 5 <= T64_DNS_QMAX &&
	    data[off] == 0) {
		qlen = off + 5;
		memcpy(q, data, qlen);
		q[4] = 0;
		q[5] = 1;
	} else {
		qlen = sizeof fixed - 1;
		memcpy(q, fixed, qlen);
	}
	r = t64_dns_answer(data, size, q, qlen, out, 4, &n, NULL);
	if (r < T64_DNS_OK || r > T64_DNS_IGNORE || n > 4 ||
	    (r == T64_DNS_OK) != (n > 0))
		abort();
	for (size_t i = 0; r == T64_DNS_OK && q[qlen - 3] == 1 && i < n; i++)
		if (out[i][10] != 0xff || out[i][11] != 0xff || out[i][0] != 0)
			abort();
}

/* wire writes the input as a text name; the result must be well formed. */
static void wire(const uint8_t *data, size_t size)
{
	uint8_t w[T64_DNS_NAME_MAX];
	int l = t64_dns_wire((const char *)data, size < 300 ? size : 300, "x.y", w);
	size_t o = 0;

	if (l < 0)
		return;
	if (l > T64_DNS_NAME_MAX)
		abort();
	while (o < (size_t)l && w[o] != 0)
		o += 1 + w[o];
	if (o + 1 != (size_t)l)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ans[T64_MAX_ANSWERS][16];
	struct t64_prefix pfx[T64_MAX_ANSWERS];
	size_t n = 0, np;
	uint32_t ttl = 0;

	lookup_answer(data, size);
	wire(data, size);
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
