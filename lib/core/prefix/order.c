#include "prefix/order.h"

#include <stddef.h>

#include "config/settings.h"
#include "prefix/discover.h"
#include "prefix/pref64.h"

/*
 * t64_prefix_order picks the default prefix: env, else file, else (when
 * learn is set) l's PREF64 prefix, else its first discovered one. Returns
 * where it came from, with *out set (NULL for T64_O_NONE). No errno.
 */
enum t64_origin t64_prefix_order(const struct t64_prefix *env, const struct t64_prefix *file, int learn,
				 const struct t64_learned *l, const struct t64_prefix **out)
{
	if ((*out = t64_prefix_fixed(env, file)) != NULL)
		return env != NULL ? T64_O_ENV : T64_O_CONFIG;
	if (!learn)
		return T64_O_NONE;
	if ((*out = l->pref64(l->ctx)) != NULL)
		return T64_O_PREF64;
	if ((*out = l->discovered(l->ctx)) != NULL)
		return T64_O_DISCOVERY;
	return T64_O_NONE;
}

/* pref64 is the PREF64 cache's prefix, re-read when due. */
static const struct t64_prefix *pref64(void *ctx)
{
	(void)ctx;
	return t64_pref64(1);
}

/* discovered is the first discovered prefix; *ctx says whether to discover now. */
static const struct t64_prefix *discovered(void *ctx)
{
	const struct t64_disc *d = t64_discovered(*(const int *)ctx);

	return d != NULL && d->n > 0 ? &d->p[0] : NULL;
}

/*
 * t64_default_prefix is the order applied to this process: its settings,
 * its PREF64 cache, its discovery (run only with discover set, when the
 * result is missing or expired). Returns the origin, *out as
 * t64_prefix_order. errno preserved.
 */
enum t64_origin t64_default_prefix(int discover, const struct t64_prefix **out)
{
	const struct t64_state *st = t64_state();
	struct t64_learned l = { pref64, discovered, &discover };

	return t64_prefix_order(st->env, st->file, st->discovery, &l, out);
}

/* t64_origin_name names an origin as prefix-source.ts does. */
const char *t64_origin_name(enum t64_origin o)
{
	static const char *const names[] = { "none", "env", "config", "pref64", "discovery" };

	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}
