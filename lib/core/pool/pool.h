/*
 * The stand-in pool: IPv6 addresses <-> IPv4 addresses of one range,
 * 198.19.0.0/16 unless standin_pool / TNAT64_STANDIN_POOL says otherwise
 * (docs/DESIGN.md, "Stand-in pool").
 */
#ifndef T64_POOL_H
#define T64_POOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/config.h" /* the range's bounds and default */

#define T64_POOL_SLOTS 65536u    /* the table: one slot per address of a /16 */
#define T64_POOL_NAME_MAX 253u   /* longest name recorded (a DNS name in text) */

/*
 * The range: mask << 32 | network, both host order, so one load reads
 * both; 0 until the settings are read (the first caller reads them).
 */
extern _Atomic uint64_t t64_pool_range;
uint64_t t64_pool_range_slow(void);

static inline uint64_t t64_pool_range_now(void)
{
	uint64_t r = atomic_load_explicit(&t64_pool_range, memory_order_relaxed);

	return r != 0 ? r : t64_pool_range_slow();
}

/* 1 when ip (host order) is inside the configured stand-in range. Cheap: hot paths call it. */
static inline int t64_pool_is(uint32_t ip)
{
	uint64_t r = t64_pool_range_now();

	return (ip & (uint32_t)(r >> 32)) == (uint32_t)r;
}

/* The range's network address: what peers are shown as when the pool is full. */
static inline uint32_t t64_pool_full(void)
{
	return (uint32_t)t64_pool_range_now();
}

/* Sets the range (net host order, len 16..30, checked by the caller). */
void t64_pool_set_range(uint32_t net, unsigned len);
void t64_pool_init(void);

/*
 * The stand-in for a peer's IPv6 address a (accept, recvfrom...): the
 * slot already holding a, else a new one; t64_pool_full() when the pool
 * is full.
 */
uint32_t t64_pool_get(const uint8_t a[16]);

/*
 * The stand-in for IPv6 address a, which name NAME (a looked-up host name,
 * <= 253 chars) resolved to: the slot already holding a, else a new one;
 * NAME is recorded for the slot when it has none yet (first name wins).
 * Returns the stand-in (host order), or 0 when the pool is full: then one
 * message per process on stderr says which range is full and how to make
 * it larger (the standin_pool key / TNAT64_STANDIN_POOL). Never hands out
 * the "full" address and never reuses a live mapping. Lock-free, no
 * malloc, errno preserved.
 */
uint32_t t64_pool_name_get(const uint8_t a[16], const char *name);

/* Copies the name recorded for stand-in ip into out (NUL-terminated, truncated to len). 1 if there is one, else 0. */
int t64_pool_name(uint32_t ip, char *out, size_t len);

/* Writes the IPv6 address stand-in ip stands for into out: 1, or 0 when none. */
int t64_pool_addr(uint32_t ip, uint8_t out[16]);

int t64_standin_sin6_slow(const struct sockaddr_in *sin,
			  struct sockaddr_in6 *out);

/*
 * t64_standin_sin6: the IPv6 peer of stand-in sin in *out (1), 0 for an
 * ordinary address, -1 with EHOSTUNREACH for the full pool's network address.
 * Inline so that every send and connect to an ordinary address pays one
 * load and a compare, not a call.
 */
static inline int t64_standin_sin6(const struct sockaddr_in *sin,
				   struct sockaddr_in6 *out)
{
	if (!t64_pool_is(ntohl(sin->sin_addr.s_addr)))
		return 0;
	return t64_standin_sin6_slow(sin, out);
}

#endif
