#include "dns/wire.h"

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
 * embeds returns 1 when a carries ip at prefix length len with the u-octet
 * and the suffix zero, else 0.
 */
static int embeds(const uint8_t a[16], unsigned len, uint32_t ip)
{
	return t64_extract(a, len) == ip && t64_suffix_zero(a, len);
}

/* wka_somewhere returns 1 when a embeds a well-known address at one of the six lengths. */
static int wka_somewhere(const uint8_t a[16])
{
	for (size_t k = 0; k < 6; k++)
		if (embeds(a, t64_prefix_lengths[k], WKA_170) ||
		    embeds(a, t64_prefix_lengths[k], WKA_171))
			return 1;
	return 0;
}

/*
 * t64_dns_aaaa reads the DNS message msg (len bytes): skips the questions,
 * collects the class-IN AAAA records of the answer section that embed a
 * well-known address somewhere (the only ones the RFC 7050 rule looks at,
 * so other records never crowd them out; up to max into out, count in *n)
 * and the smallest TTL of all its AAAA records in *ttl. Returns 0, or -1
 * when the message is malformed or not a successful response. No errno.
 */
int t64_dns_aaaa(const uint8_t *msg, size_t len, uint8_t (*out)[16],
		 size_t max, size_t *n, uint32_t *ttl)
{
	size_t off = 12;
	uint32_t qd, an;
	int seen = 0;

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
		if (type == 28 && class == 1 && rdlen == 16) {
			if (!seen || t < *ttl)
				*ttl = t;
			seen = 1;
			if (*n < max && wka_somewhere(msg + off))
				memcpy(out[(*n)++], msg + off, 16);
		}
		off += rdlen;
	}
	return 0;
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

/* lower folds ASCII letters only: DNS compares names that way (RFC 4343). */
static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/*
 * read_name copies the name at off in msg (len bytes), compression
 * pointers followed, into out in wire form, letters folded to lower case.
 * Returns the offset just after the name where it starts, or 0 when it is
 * malformed, runs past len or exceeds 255 bytes. A pointer must point
 * before itself, so pointer chains cannot loop. No errno.
 */
static size_t read_name(const uint8_t *msg, size_t len, size_t off,
			uint8_t out[T64_DNS_NAME_MAX], size_t *olen)
{
	size_t next = 0, o = 0, pos = off;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return 0;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t ptr;

			if (pos + 1 >= len)
				return 0;
			ptr = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (ptr >= pos)
				return 0;
			if (next == 0)
				next = pos + 2;
			pos = ptr;
			continue;
		}
		if ((l & 0xc0) != 0 || o + 1 + l > T64_DNS_NAME_MAX ||
		    pos + 1 + l > len)
			return 0;
		out[o++] = l;
		for (size_t i = 0; i < l; i++)
			out[o++] = lower(msg[pos + 1 + i]);
		pos += 1 + (size_t)l;
		if (l == 0) {
			*olen = o;
			return next != 0 ? next : pos;
		}
	}
}

/*
 * t64_dns_wire writes the text name (n bytes, no trailing dot) followed by
 * the labels of suffix (may be NULL or empty) in wire form into out.
 * Returns its length, or -1 for an empty label, a label over 63 bytes, a
 * backslash (no escapes) or more than 255 bytes. No errno.
 */
int t64_dns_wire(const char *name, size_t n, const char *suffix,
		 uint8_t out[T64_DNS_NAME_MAX])
{
	size_t o = 0;

	for (int part = 0; part < 2; part++) {
		const char *s = part == 0 ? name : suffix;
		size_t len = part == 0 ? n : suffix != NULL ? strlen(suffix) : 0;

		if (part == 1 && len > 0 && s[len - 1] == '.')
			len--;
		for (size_t i = 0; i < len;) {
			size_t l = 0;

			while (i + l < len && s[i + l] != '.')
				l++;
			if (l == 0 || l > 63 || o + 1 + l + 1 > T64_DNS_NAME_MAX ||
			    memchr(s + i, '\\', l) != NULL)
				return -1;
			out[o++] = (uint8_t)l;
			memcpy(out + o, s + i, l);
			o += l;
			i += l + 1;
			if (i == len && s[len - 1] == '.')
				return -1; /* "a..": an empty last label */
		}
	}
	if (o == 0)
		return -1;
	out[o++] = 0;
	return (int)o;
}

/*
 * t64_dns_query writes a standard recursive query (RD) with id for qname
 * (qlen bytes of wire form) and type qtype, class IN, into q. Returns its
 * length. No errno.
 */
size_t t64_dns_query(uint8_t q[T64_DNS_QMAX], uint16_t id, const uint8_t *qname,
		     size_t qlen, int qtype)
{
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	memcpy(q + 12, qname, qlen);
	q[12 + qlen] = (uint8_t)(qtype >> 8);
	q[12 + qlen + 1] = (uint8_t)qtype;
	q[12 + qlen + 2] = 0;
	q[12 + qlen + 3] = 1; /* IN */
	return 12 + qlen + 4;
}

/*
 * rr_next reads the header of the resource record at *off: owner name into
 * owner, type, class and the RDATA's offset and length. Returns 0 with *off
 * past the record, or -1 when it runs past len. No errno.
 */
static int rr_next(const uint8_t *msg, size_t len, size_t *off,
		   uint8_t owner[T64_DNS_NAME_MAX], size_t *olen,
		   uint32_t *type, uint32_t *class, size_t *rd, size_t *rdlen)
{
	size_t o = read_name(msg, len, *off, owner, olen);

	if (o == 0 || o + 10 > len)
		return -1;
	*type = get16(msg + o);
	*class = get16(msg + o + 2);
	*rdlen = get16(msg + o + 8);
	*rd = o + 10;
	if (*rd + *rdlen > len)
		return -1;
	*off = *rd + *rdlen;
	return 0;
}

/*
 * t64_dns_answer reads msg (len bytes) as the answer to our query q (qlen
 * bytes, from t64_dns_query): same id, QR set, a standard query, the same
 * question (letter case aside). Follows the CNAME chain of the answer
 * section from the question's name (16 links at most) and collects the
 * class-IN records of the question's type (A or AAAA) owned by its end, up
 * to max into out (A as ::ffff:a.b.c.d), count in *n. Returns a
 * t64_dns_rc; any record running past len makes the whole message
 * T64_DNS_IGNORE. No errno.
 */
/*
 * wire_text writes wire-form name w (root label included) as text without
 * the trailing dot into out (T64_DNS_NAME_MAX bytes: a 255-byte wire name
 * is at most 253 characters of text).
 */
static void wire_text(const uint8_t *w, char out[T64_DNS_NAME_MAX])
{
	size_t o = 0;

	for (size_t i = 0; w[i] != 0; i += 1 + (size_t)w[i]) {
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, w + i + 1, w[i]);
		o += w[i];
	}
	out[o] = '\0';
}

int t64_dns_answer(const uint8_t *msg, size_t len, const uint8_t *q,
		   size_t qlen, uint8_t (*out)[16], size_t max, size_t *n,
		   char canon[T64_DNS_NAME_MAX])
{
	uint8_t want[T64_DNS_NAME_MAX], name[T64_DNS_NAME_MAX];
	size_t wl, nl, off, first, rd, rdlen;
	uint32_t an, qtype, type, class;
	int rcode;

	*n = 0;
	if (len < 12 || qlen < 12 || msg[0] != q[0] || msg[1] != q[1] ||
	    !(msg[2] & 0x80) || (msg[2] & 0x78) != 0 || get16(msg + 4) != 1)
		return T64_DNS_IGNORE;
	off = read_name(q, qlen, 12, want, &wl);
	if (off == 0 || off + 4 > qlen)
		return T64_DNS_IGNORE;
	qtype = get16(q + off);
	first = read_name(msg, len, 12, name, &nl);
	if (first == 0 || first + 4 > len || nl != wl ||
	    memcmp(name, want, wl) != 0 || memcmp(msg + first, q + off, 4) != 0)
		return T64_DNS_IGNORE;
	first += 4;
	rcode = msg[3] & 0x0f;
	if (rcode == 3)
		return T64_DNS_NXDOMAIN;
	if (rcode != 0)
		return T64_DNS_SERVFAIL;
	an = get16(msg + 6);
	off = first;
	for (uint32_t i = 0; i < an; i++)
		if (rr_next(msg, len, &off, name, &nl, &type, &class, &rd,
			    &rdlen) != 0)
			return T64_DNS_IGNORE;
	for (int hop = 0, moved = 1; moved && hop < 16; hop++) {
		moved = 0;
		off = first;
		for (uint32_t i = 0; i < an && !moved; i++) {
			uint8_t target[T64_DNS_NAME_MAX];
			size_t tl;

			rr_next(msg, len, &off, name, &nl, &type, &class, &rd,
				&rdlen);
			if (type != 5 || class != 1 || nl != wl ||
			    memcmp(name, want, wl) != 0)
				continue;
			if (read_name(msg, rd + rdlen, rd, target, &tl) == 0)
				return T64_DNS_IGNORE;
			memcpy(want, target, tl);
			wl = tl;
			moved = 1;
		}
	}
	off = first;
	for (uint32_t i = 0; i < an; i++) {
		rr_next(msg, len, &off, name, &nl, &type, &class, &rd, &rdlen);
		if (type != qtype || class != 1 || nl != wl ||
		    memcmp(name, want, wl) != 0 || *n >= max)
			continue;
		if (type == 1 && rdlen == 4) {
			memset(out[*n], 0, 10);
			out[*n][10] = out[*n][11] = 0xff;
			memcpy(out[*n] + 12, msg + rd, 4);
			(*n)++;
		} else if (type == 28 && rdlen == 16) {
			memcpy(out[*n], msg + rd, 16);
			(*n)++;
		}
	}
	if (canon != NULL)
		wire_text(want, canon);
	return *n > 0 ? T64_DNS_OK : T64_DNS_NODATA;
}
