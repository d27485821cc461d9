#include "rfc7050.h"

#include <string.h>

#define WKA_170 0xc00000aau /* 192.0.0.170 */
#define WKA_171 0xc00000abu /* 192.0.0.171 */

/*
 * skip_name returns the offset just after the (possibly compressed) domain
 * name starting at off in msg, or 0 when the name runs past len or is
 * malformed. Pointers end a name, so no loop can occur. No errno.
 */
static size_t skip_name(const uint8_t *msg, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = msg[off];

		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l & 0xc0)
			return 0;
		off += 1 + (size_t)l;
	}
	return 0;
}

/* get16/get32 read big-endian integers at p. */
static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) << 16 | get16(p + 2);
}

/*
 * t64_dns_aaaa reads the DNS message msg (len bytes): skips the questions,
 * collects the class-IN AAAA records of the answer section (up to max into
 * out, count in *n) and the smallest TTL among them in *ttl. Returns 0, or
 * -1 when the message is malformed or not a successful response. No errno.
 */
int t64_dns_aaaa(const uint8_t *msg, size_t len, uint8_t (*out)[16],
		 size_t max, size_t *n, uint32_t *ttl)
{
	size_t off = 12;
	uint32_t qd, an;

	*n = 0;
	*ttl = 0;
	if (len < 12 || !(msg[2] & 0x80) || (msg[3] & 0x0f) != 0)
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	for (uint32_t i = 0; i < qd; i++) {
		off = skip_name(msg, len, off);
		if (off == 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	for (uint32_t i = 0; i < an; i++) {
		uint32_t type, class, t, rdlen;

		off = skip_name(msg, len, off);
		if (off == 0 || off + 10 > len)
			return -1;
		type = get16(msg + off);
		class = get16(msg + off + 2);
		t = get32(msg + off + 4) & 0x7fffffffu;
		rdlen = get16(msg + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -1;
		if (type == 28 && class == 1 && rdlen == 16 && *n < max) {
			memcpy(out[*n], msg + off, 16);
			if (*n == 0 || t < *ttl)
				*ttl = t;
			(*n)++;
		}
		off += rdlen;
	}
	return 0;
}

/*
 * embeds returns 1 when a carries ip at prefix length len with the u-octet
 * and the suffix zero, else 0.
 */
static int embeds(const uint8_t a[16], unsigned len, uint32_t ip)
{
	return t64_extract(a, len) == ip && t64_suffix_zero(a, len);
}

/*
 * length_of returns the prefix length answer i reveals by the DESIGN.md rule
 * (candidates, then RFC 7050 §3 disambiguation by another answer carrying
 * the other well-known address), or 0 when it matches nowhere.
 */
static unsigned length_of(const uint8_t (*ans)[16], size_t n, size_t i)
{
	unsigned cand[6], ncand = 0, kept = 0, nkept = 0;

	for (size_t k = 0; k < 6; k++) {
		unsigned l = t64_prefix_lengths[k];

		if (embeds(ans[i], l, WKA_170) || embeds(ans[i], l, WKA_171))
			cand[ncand++] = l;
	}
	if (ncand <= 1)
		return ncand ? cand[0] : 0;
	for (unsigned c = 0; c < ncand; c++) {
		unsigned l = cand[c];
		uint32_t other = t64_extract(ans[i], l) == WKA_170 ? WKA_171 :
								      WKA_170;

		for (size_t j = 0; j < n; j++) {
			if (j != i && memcmp(ans[i], ans[j], l / 8) == 0 &&
			    embeds(ans[j], l, other)) {
				kept = l;
				nkept++;
				break;
			}
		}
	}
	return nkept == 1 ? kept : cand[0];
}

/*
 * t64_rfc7050_prefixes applies the DESIGN.md rule to the n AAAA answers and
 * stores the prefixes found (deduplicated, answer order, at most max) in
 * out. Returns how many. No errno.
 */
size_t t64_rfc7050_prefixes(const uint8_t (*ans)[16], size_t n,
			    struct t64_prefix *out, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < n && count < max; i++) {
		unsigned l = length_of(ans, n, i);
		struct t64_prefix p;
		size_t k;

		if (l == 0)
			continue;
		t64_prefix_mask(ans[i], l, &p);
		for (k = 0; k < count && !t64_prefix_eq(&out[k], &p); k++)
			;
		if (k == count)
			out[count++] = p;
	}
	return count;
}
