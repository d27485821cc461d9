#include "plan/decide.h"

#include <stddef.h>

/*
 * t64_decide applies the six steps of DESIGN.md to ip:port (host order) with
 * configuration cfg (may be NULL) and effective default prefix dflt (may be
 * NULL), filling *d. No allocation, no lock, no errno.
 */
void t64_decide(const struct t64_config *cfg, const struct t64_prefix *dflt,
		uint32_t ip, uint16_t port, struct t64_decision *d)
{
	d->method = T64_IPV4;
	d->prefix = NULL;
	if ((ip >> 24) == 127) {
		d->reason = T64_R_LOOPBACK;
		return;
	}
	if ((ip >> 24) == 0 || (ip >> 28) == 0xe || ip == 0xffffffffu) {
		d->reason = T64_R_SPECIAL;
		return;
	}
	if (cfg != NULL) {
		for (size_t i = 0; i < cfg->nlocal; i++) {
			if ((ip & cfg->local[i].mask) == cfg->local[i].addr) {
				d->reason = T64_R_LOCAL;
				return;
			}
		}
		for (size_t i = 0; i < cfg->npath && !d->prefix; i++) {
			const struct t64_path *p = &cfg->path[i];

			for (size_t j = 0; j < p->nsub; j++) {
				const struct t64_subnet *s = &p->sub[j];

				if ((ip & s->mask) == s->addr && port >= s->lo &&
				    port <= s->hi) {
					d->prefix = &p->prefix;
					d->reason = T64_R_PATH;
					break;
				}
			}
		}
	}
	if (d->prefix == NULL) {
		d->prefix = dflt;
		d->reason = dflt ? T64_R_DEFAULT : T64_R_NO_PREFIX;
		if (dflt == NULL)
			return;
	}
	if (t64_is_wkp(d->prefix) && !t64_ipv4_global(ip)) {
		d->prefix = NULL;
		d->reason = T64_R_WKP_NONGLOBAL;
		return;
	}
	d->method = T64_NAT64;
}

/* t64_reason_name returns the vector-file name of a reason. */
const char *t64_reason_name(enum t64_reason r)
{
	static const char *const names[] = {
		"loopback", "special",	 "local",	  "path",
		"default",  "no-prefix", "wkp-nonglobal",
	};

	return names[r];
}

/* t64_method_name returns "nat64", "ipv4" or "none". */
const char *t64_method_name(enum t64_method m)
{
	return m == T64_NAT64 ? "nat64" : m == T64_IPV4 ? "ipv4" : "none";
}
