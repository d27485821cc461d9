/*
 * libFuzzer target: the PREF64 cache parser (lib/core/prefix/pref64file.c) on any
 * bytes. Checks its contract: a result is one of "none", "invalid" or an
 * entry whose prefix is an RFC 6052 prefix expiring after the given time;
 * input over T64_PREF64_MAX bytes is always invalid; the answer does not
 * depend on bytes past the length given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefix/pref64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct t64_prefix p, q;
	int64_t exp = -1, exp2 = -1;
	char *copy = malloc(size + 1);
	int r, r2;

	if (copy == NULL)
		return 0;
	r = t64_pref64_parse((const char *)data, size, 1000, &p, &exp);
	if (r < -1 || r > 1 || (size > T64_PREF64_MAX && r != -1))
		abort();
	if (r == 1 && (exp <= 1000 || !t64_prefix_len_ok(p.len)))
		abort();
	/* A trailing byte the length excludes changes nothing. */
	memcpy(copy, data, size);
	copy[size] = '\n';
	r2 = t64_pref64_parse(copy, size, 1000, &q, &exp2);
	if (r2 != r || (r == 1 && (exp2 != exp || !t64_prefix_eq(&p, &q))))
		abort();
	free(copy);
	return 0;
}
