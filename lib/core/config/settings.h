/* What the environment and the configuration file say, read once per process. */
#ifndef T64_STATE_H
#define T64_STATE_H

#include "config/config.h"
#include <stdint.h>

/* Immutable once published. */
struct t64_state {
	const struct t64_config *cfg; /* NULL: no file, or an invalid one */
	const struct t64_prefix *env;  /* TNAT64_PREFIX when set and valid, else NULL */
	const struct t64_prefix *file; /* the file's nat64_prefix, else NULL (prefix/order.h puts them in order) */
	struct t64_prefix env_prefix;
	int discovery; /* RFC 7050 discovery allowed */
	int v6only_off; /* known: new AF_INET6 sockets start with IPV6_V6ONLY off */
	uint64_t pool_range; /* the stand-in range, mask << 32 | network (host order); 0 in the empty state */
};

const struct t64_state *t64_state(void);


#endif
