/* A tiny assertion helper shared by the C tests. */
#ifndef T64_CHECK_H
#define T64_CHECK_H

#include <stdio.h>

static int t_pass, t_fail;

/* CHECK counts one assertion; a failure prints where and why on stderr. */
#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (cond) {                                                 \
			t_pass++;                                           \
		} else {                                                    \
			t_fail++;                                           \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,       \
				__LINE__, #cond);                           \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
		}                                                           \
	} while (0)

/* t_report prints the totals in the form the runner sums; 1 on failure. */
static inline int t_report(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	fflush(stdout);
	return t_fail != 0;
}

#endif
