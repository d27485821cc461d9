/*
 * The order of the prefix sources, the twin of src/core/prefix-source.ts:
 * TNAT64_PREFIX (when valid), the file's nat64_prefix, then, unless
 * TNAT64_DISCOVERY=0, the PREF64 cache and RFC 7050 discovery. The learned
 * sources are asked only when the fixed ones give nothing.
 * testdata/prefix-order.tsv holds the cases both halves check.
 */
#ifndef T64_ORDER_H
#define T64_ORDER_H

#include "addr/addr.h"

enum t64_origin { T64_O_NONE, T64_O_ENV, T64_O_CONFIG, T64_O_PREF64, T64_O_DISCOVERY };

/* The learned sources, asked in order and only when needed. */
struct t64_learned {
	const struct t64_prefix *(*pref64)(void *ctx);
	const struct t64_prefix *(*discovered)(void *ctx);
	void *ctx;
};

/* The fixed part of the order: the environment's prefix, else the file's (either may be NULL). Inline: hot paths. */
static inline const struct t64_prefix *t64_prefix_fixed(const struct t64_prefix *env,
							const struct t64_prefix *file)
{
	return env != NULL ? env : file;
}

enum t64_origin t64_prefix_order(const struct t64_prefix *env, const struct t64_prefix *file, int learn,
				 const struct t64_learned *l, const struct t64_prefix **out);
enum t64_origin t64_default_prefix(int discover, const struct t64_prefix **out);
const char *t64_origin_name(enum t64_origin o);

#endif
