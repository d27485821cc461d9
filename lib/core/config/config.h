/* The configuration file: grammar and canonical dump from docs/DESIGN.md. */
#ifndef T64_CONFIG_H
#define T64_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "addr/addr.h"

/* The stand-in range (standin_pool, TNAT64_STANDIN_POOL): its default and the lengths allowed. */
#define T64_POOL_DEFAULT 0xc6130000u /* 198.19.0.0/16 */
#define T64_POOL_MIN_LEN 16u
#define T64_POOL_MAX_LEN 30u

#define T64_CONF_MAX (1024 * 1024)

struct t64_net {
	uint32_t addr, mask;
};

struct t64_subnet {
	uint32_t addr, mask;
	uint16_t lo, hi;
};

struct t64_path {
	struct t64_prefix prefix;
	int has_prefix;
	size_t nsub;
	struct t64_subnet *sub;
};

/* Immutable once parsed. On error, only err_* are meaningful. */
struct t64_config {
	int has_prefix;
	struct t64_prefix prefix;
	size_t nlocal;
	struct t64_net *local;
	size_t npath;
	struct t64_path *path;
	int has_identity;
	uint32_t identity; /* ipv4_identity (host order): what getsockname shows */
	int has_pool;
	uint32_t pool_net; /* standin_pool (host order) */
	unsigned pool_len;
	unsigned err_line;
	const char *err_code; /* NULL when valid */
	char *err_msg;        /* "FILE:LINE: `TEXT`: expected ..." */
};

int t64_parse_prefix(const char *s, struct t64_prefix *out, const char **code);
int t64_prefix_usable(const struct t64_prefix *p, const char **code);
const char *t64_prefix_expected(const char *code);
int t64_parse_pool(const char *s, uint32_t *net, unsigned *len,
		   const char **code);
const char *t64_pool_expected(const char *code);
int t64_config_parse(const char *text, size_t len, const char *file,
		     struct t64_config *cfg);
int t64_is_dev_null(const struct stat *st);
int t64_config_load(const char *file, struct t64_config *cfg);
void t64_config_dump(const struct t64_config *cfg, FILE *out);
void t64_config_free(struct t64_config *cfg);

#endif
