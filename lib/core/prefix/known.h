/* The NAT64 prefixes this process knows, for telling which IPv6 peers embed an IPv4 address. */
#ifndef T64_KNOWN_H
#define T64_KNOWN_H

#include <stdint.h>

#include "addr/addr.h"

const struct t64_prefix *t64_known_prefix(const uint8_t a[16], uint32_t *ip);

#endif
