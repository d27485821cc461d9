/* Name lookups through the NAT64 to IPv4-only nameservers, without glibc's resolver. */
#ifndef T64_CALLS_RESOLVE_H
#define T64_CALLS_RESOLVE_H

#include "dns/client.h"

/* 1 when glibc's own resolver cannot reach any nameserver and we can: every resolv.conf nameserver is IPv4 (or there
 * are none but the implicit 127.0.0.1? -> then 0: loopback works), the host has no IPv4 route to them, and a NAT64
 * prefix is known (TNAT64_PREFIX / config / discovered). Cheap after the first call (re-read resolv.conf at most
 * every few seconds, or on mtime change). */
int t64_resolve_needed(void);
/* Asks for NAME's records of TYPE, IPv4 nameservers reached at their NAT64 address (RFC 6052 with the prefix the
 * library would use for them), through the real socket calls. Honours resolv.conf search/domain, ndots, timeout and
 * attempts (bounded: never more than ~10 s total whatever the file says), names ending in '.'; follows the CNAME
 * chain inside the answer; checks id, QR, question; rejects malformed answers without reading out of bounds. */
int t64_resolve(const char *name, int type, struct t64_answer *ans);

#endif
