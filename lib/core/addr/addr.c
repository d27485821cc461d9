#include "addr/addr.h"

#include <stdio.h>
#include <string.h>

const uint8_t t64_prefix_lengths[6] = { 96, 64, 56, 48, 40, 32 };

/*
 * t64_prefix_len_ok returns 1 when len is one of the six RFC 6052 prefix
 * lengths, 0 otherwise. Does not touch errno.
 */
int t64_prefix_len_ok(unsigned len)
{
	for (size_t i = 0; i < sizeof t64_prefix_lengths; i++)
		if (t64_prefix_lengths[i] == len)
			return 1;
	return 0;
}

/*
 * first_byte returns the byte index where the IPv4 address starts for a
 * prefix of len bits; the IPv4 bytes then follow, skipping byte 8 (the
 * u-octet, bits 64-71). Does not touch errno.
 */
static unsigned first_byte(unsigned len)
{
	return len / 8;
}

/*
 * t64_synthesize writes into out the RFC 6052 address embedding ip (host
 * order) in prefix p (u-octet and suffix zero). Returns nothing; no errno.
 */
void t64_synthesize(const struct t64_prefix *p, uint32_t ip, uint8_t out[16])
{
	unsigned pos = first_byte(p->len);

	/*
	 * Whole: every t64_prefix has zero bits past its length, u-octet
	 * included (the parser and discovery make them so), and a fixed-size
	 * copy is two moves where a variable one is a libc call on the hot path.
	 */
	memcpy(out, p->b, 16);
	for (int i = 3; i >= 0; i--) {
		if (pos == 8)
			pos++;
		out[pos++] = (uint8_t)(ip >> (8 * i));
	}
}

/*
 * t64_extract returns the IPv4 address (host order) embedded in a at prefix
 * length len. Does not touch errno.
 */
uint32_t t64_extract(const uint8_t a[16], unsigned len)
{
	unsigned pos = first_byte(len);
	uint32_t ip = 0;

	for (int i = 0; i < 4; i++) {
		if (pos == 8)
			pos++;
		ip = ip << 8 | a[pos++];
	}
	return ip;
}

/*
 * t64_suffix_zero returns 1 when the u-octet (for len < 96) and every bit
 * after the embedded IPv4 address are zero in a, 0 otherwise. No errno.
 */
int t64_suffix_zero(const uint8_t a[16], unsigned len)
{
	unsigned pos = first_byte(len);

	if (len < 96 && a[8] != 0)
		return 0;
	for (int i = 0; i < 4; i++, pos++)
		if (pos == 8)
			pos++;
	for (; pos < 16; pos++)
		if (a[pos] != 0)
			return 0;
	return 1;
}

/*
 * t64_prefix_mask stores in out the first len bits of a (rest zero) and len.
 * Returns nothing; no errno.
 */
void t64_prefix_mask(const uint8_t a[16], unsigned len, struct t64_prefix *out)
{
	memset(out, 0, sizeof *out);
	memcpy(out->b, a, len / 8);
	out->len = (uint8_t)len;
}

/*
 * t64_in_prefix returns 1 when the first p->len bits of a equal p's, else 0.
 * All six lengths are whole bytes. No errno.
 */
int t64_in_prefix(const struct t64_prefix *p, const uint8_t a[16])
{
	return memcmp(p->b, a, p->len / 8) == 0;
}

/* t64_prefix_eq returns 1 when a and b are the same prefix, else 0. */
int t64_prefix_eq(const struct t64_prefix *a, const struct t64_prefix *b)
{
	return a->len == b->len && memcmp(a->b, b->b, 16) == 0;
}

/* t64_is_wkp returns 1 when p is the well-known prefix 64:ff9b::/96. */
int t64_is_wkp(const struct t64_prefix *p)
{
	static const uint8_t wkp[16] = { 0, 0x64, 0xff, 0x9b };

	return p->len == 96 && memcmp(p->b, wkp, 16) == 0;
}

/*
 * t64_ipv4_global returns 0 when ip (host order) is in one of the RFC 6890
 * special ranges listed in DESIGN.md (step 6), 1 otherwise. No errno.
 */
int t64_ipv4_global(uint32_t ip)
{
	static const struct {
		uint32_t net;
		uint8_t bits;
	} special[] = {
		{ 0x00000000, 8 },  { 0x0a000000, 8 },  { 0x64400000, 10 },
		{ 0x7f000000, 8 },  { 0xa9fe0000, 16 }, { 0xac100000, 12 },
		{ 0xc0000000, 24 }, { 0xc0000200, 24 }, { 0xc0586300, 24 },
		{ 0xc0a80000, 16 }, { 0xc6120000, 15 }, { 0xc6336400, 24 },
		{ 0xcb007100, 24 }, { 0xe0000000, 4 },  { 0xf0000000, 4 },
		{ 0xffffffff, 32 },
	};

	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
		if ((ip & t64_mask_of(special[i].bits)) == special[i].net)
			return 0;
	return 1;
}

/* t64_mask_of returns the IPv4 netmask (host order) of bits 0..32. */
uint32_t t64_mask_of(unsigned bits)
{
	return bits == 0 ? 0 : 0xffffffffu << (32 - bits);
}

/*
 * t64_mask_bits returns the prefix length of a contiguous netmask, or -1
 * when the mask is not contiguous. No errno.
 */
int t64_mask_bits(uint32_t mask)
{
	for (unsigned bits = 0; bits <= 32; bits++)
		if (t64_mask_of(bits) == mask)
			return (int)bits;
	return -1;
}

/*
 * t64_parse_u32 parses the n characters at s as a decimal number (digits
 * only, at most 10) no larger than max. Returns 0 and stores it in *out, or
 * -1 when the text is not such a number. No errno.
 */
int t64_parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * t64_parse_ipv4 parses exactly the n characters at s as a dotted quad
 * (four decimal numbers 0..255). Returns 0 and the address (host order) in
 * *out, or -1. No errno.
 */
int t64_parse_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t ip = 0;
	size_t start = 0;
	int parts = 0;

	for (size_t i = 0; i <= n; i++) {
		uint32_t v;

		if (i < n && s[i] != '.')
			continue;
		if (parts == 4 || i - start > 3 ||
		    (i - start > 1 && s[start] == '0') ||
		    t64_parse_u32(s + start, i - start, 255, &v) < 0)
			return -1;
		ip = ip << 8 | v;
		parts++;
		start = i + 1;
	}
	if (parts != 4)
		return -1;
	*out = ip;
	return 0;
}

/*
 * t64_format6 writes a in RFC 5952 form with hex fields only: lower case,
 * the longest run of two or more zero fields compressed (leftmost on ties).
 * Returns nothing; no errno.
 */
void t64_format6(const uint8_t a[16], char out[T64_ADDRSTR])
{
	unsigned f[8];
	int best = -1, bestlen = 1;
	char *o = out;

	for (int i = 0; i < 8; i++)
		f[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && f[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j == i ? i + 1 : j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o += sprintf(o, "::");
			i += bestlen - 1;
			continue;
		}
		o += sprintf(o, "%s%x", i == 0 || i == best + bestlen ? "" : ":",
			     f[i]);
	}
	*o = '\0';
}

/* t64_format_prefix writes p as "ADDR/LEN". Returns nothing; no errno. */
void t64_format_prefix(const struct t64_prefix *p, char out[T64_ADDRSTR + 4])
{
	t64_format6(p->b, out);
	sprintf(out + strlen(out), "/%u", p->len);
}

/* t64_format4 writes ip (host order) as a dotted quad. No errno. */
void t64_format4(uint32_t ip, char out[T64_ADDRSTR])
{
	sprintf(out, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255,
		ip & 255);
}
