/*
 * libFuzzer target: the configuration parser (lib/core/config/config.c) on any
 * bytes, then the canonical dump of what it accepted. Checks the parser's
 * contract: a result is either valid (no error fields) or an error with a
 * code, a line within the text and a message, and nothing else kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct t64_config cfg;
	char *dump = NULL;
	size_t dlen = 0;
	size_t lines = 1;
	FILE *out;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = t64_config_parse((const char *)data, size, "fuzz.conf", &cfg);
	if (rc == 0 && cfg.err_code != NULL)
		abort();
	if (rc < 0 && (cfg.err_code == NULL || cfg.err_line > lines ||
		       cfg.nlocal || cfg.npath || cfg.has_prefix))
		abort();
	out = open_memstream(&dump, &dlen);
	if (out != NULL) {
		t64_config_dump(&cfg, out);
		fclose(out);
	}
	free(dump);
	t64_config_free(&cfg);
	return 0;
}
