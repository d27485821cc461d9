/* The stand-in pool: IPv6 peers <-> IPv4 addresses in 198.19.0.0/16 (docs/DESIGN.md, "Stand-in pool"). */
#ifndef T64_POOL_H
#define T64_POOL_H

#include <stdint.h>

#define T64_POOL_NET 0xc6130000u /* 198.19.0.0/16 */
#define T64_POOL_SLOTS 65536u    /* one per address of the /16 */
#define T64_POOL_NONE 0xc6130000u /* 198.19.0.0: shown when the pool is full */

/* t64_pool_is returns 1 when ip (host order) is in the stand-in range. */
static inline int t64_pool_is(uint32_t ip)
{
	return (ip & 0xffff0000u) == T64_POOL_NET;
}

void t64_pool_init(void);
uint32_t t64_pool_get(const uint8_t a[16]);
int t64_pool_addr(uint32_t ip, uint8_t out[16]);

#endif
