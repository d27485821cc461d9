/* Address arithmetic: RFC 6052 synthesis/extraction, parsing, RFC 5952 formatting. */
#ifndef T64_ADDR_H
#define T64_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "base/common.h"

/* A NAT64 prefix: 16 bytes (bits beyond len are zero) and a length in bits. */
struct t64_prefix {
	uint8_t b[16];
	uint8_t len;
};

/* Lengths allowed by RFC 6052, in the order RFC 7050 discovery tries them. */
extern const uint8_t t64_prefix_lengths[6];

int t64_prefix_len_ok(unsigned len);
void t64_synthesize(const struct t64_prefix *p, uint32_t ip, uint8_t out[16]);
uint32_t t64_extract(const uint8_t a[16], unsigned len);
int t64_suffix_zero(const uint8_t a[16], unsigned len);
int t64_in_prefix(const struct t64_prefix *p, const uint8_t a[16]);
void t64_prefix_mask(const uint8_t a[16], unsigned len, struct t64_prefix *out);
int t64_prefix_eq(const struct t64_prefix *a, const struct t64_prefix *b);
int t64_is_wkp(const struct t64_prefix *p);
int t64_ipv4_global(uint32_t ip);
int t64_parse_ipv4(const char *s, size_t n, uint32_t *out);
int t64_parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out);
uint32_t t64_mask_of(unsigned bits);
int t64_mask_bits(uint32_t mask);

/* Enough for "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" and "255.255.255.255". */
#define T64_ADDRSTR 48
void t64_format6(const uint8_t a[16], char out[T64_ADDRSTR]);
void t64_format_prefix(const struct t64_prefix *p, char out[T64_ADDRSTR + 4]);
void t64_format4(uint32_t ip, char out[T64_ADDRSTR]);

#endif
