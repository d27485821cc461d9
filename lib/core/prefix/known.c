#include "prefix/known.h"

#include "config/settings.h"
#include "prefix/discover.h"
#include "prefix/pref64.h"

/* in_prefix: p and *ip when a is inside prefix p (may be NULL), else NULL. */
static const struct t64_prefix *in_prefix(const struct t64_prefix *p,
					  const uint8_t a[16], uint32_t *ip)
{
	if (p == NULL || !t64_in_prefix(p, a))
		return NULL;
	*ip = t64_extract(a, p->len);
	return p;
}

/*
 * t64_known_prefix finds the known NAT64 prefix a peer's IPv6 address is
 * in: TNAT64_PREFIX, the file's, its paths', the PREF64 cache's,
 * discovered ones (without reading or discovering). Returns it with *ip
 * (host order) embedded, or NULL.
 */
const struct t64_prefix *t64_known_prefix(const uint8_t a[16], uint32_t *ip)
{
	const struct t64_state *st = t64_state();
	const struct t64_config *cfg = st->cfg;
	const struct t64_disc *disc = t64_discovered(0);
	const struct t64_prefix *p;

	if ((p = in_prefix(st->env, a, ip)) != NULL)
		return p;
	if (cfg != NULL && cfg->has_prefix &&
	    (p = in_prefix(&cfg->prefix, a, ip)) != NULL)
		return p;
	for (size_t i = 0; cfg != NULL && i < cfg->npath; i++)
		if ((p = in_prefix(&cfg->path[i].prefix, a, ip)) != NULL)
			return p;
	if ((p = in_prefix(t64_pref64(0), a, ip)) != NULL)
		return p;
	for (size_t i = 0; disc != NULL && i < disc->n; i++)
		if ((p = in_prefix(&disc->p[i], a, ip)) != NULL)
			return p;
	return NULL;
}
