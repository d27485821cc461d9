/* The PREF64 cache (RFC 8781 prefixes routers advertised), read by the library. */
#ifndef T64_PREF64_H
#define T64_PREF64_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

#define T64_PREF64_FILE "/run/tnat64/pref64"
#define T64_PREF64_MAX 4096    /* bytes; a larger file is refused whole */
#define T64_PREF64_ENTRIES 8   /* entries; a ninth makes the file invalid */
#define T64_PREF64_REREAD 5    /* seconds between two reads of the file */

int t64_pref64_parse(const char *buf, size_t len, int64_t now,
		     struct t64_prefix *out, int64_t *expires);
const struct t64_prefix *t64_pref64(int refresh);

/* t64_pref64(0) for the per-datagram peer paths: with no cache (the usual
 * case), one load and no call. */
extern _Atomic int t64_pref64_any;
static inline const struct t64_prefix *t64_pref64_peek(void)
{
	return atomic_load_explicit(&t64_pref64_any, memory_order_relaxed) ?
		       t64_pref64(0) :
		       NULL;
}

#endif
