/* The host's IPv4 broadcast addresses, for sockets with SO_BROADCAST set. */
#ifndef T64_BCAST_H
#define T64_BCAST_H

#include <stdint.h>

#define T64_BCAST_MAX 16
#define T64_BCAST_TTL 5

int t64_bcast_is(uint32_t ip);
void t64_bcast_refresh(void);

#endif
