/* The decision of docs/DESIGN.md: which method and prefix a destination gets. */
#ifndef T64_DECIDE_H
#define T64_DECIDE_H

#include "config/config.h"

enum t64_method { T64_NONE = 0, T64_NAT64 = 1, T64_IPV4 = 2 };

enum t64_reason {
	T64_R_LOOPBACK,
	T64_R_SPECIAL,
	T64_R_LOCAL,
	T64_R_PATH,
	T64_R_DEFAULT,
	T64_R_NO_PREFIX,
	T64_R_WKP_NONGLOBAL,
};

struct t64_decision {
	enum t64_method method;
	enum t64_reason reason;
	const struct t64_prefix *prefix; /* the prefix picked, or NULL */
};

void t64_decide(const struct t64_config *cfg, const struct t64_prefix *dflt,
		uint32_t ip, uint16_t port, struct t64_decision *d);
const char *t64_reason_name(enum t64_reason r);
const char *t64_method_name(enum t64_method m);

#endif
