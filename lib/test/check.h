/* A tiny assertion helper shared by the C tests. */
#ifndef T64_CHECK_H
#define T64_CHECK_H

#include <stdio.h>
#include <string.h>

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

/*
 * One case of a test program: its name on the command line, the fewest
 * arguments it reads, and its function, given the arguments after the name
 * (n of them; a[n] is NULL). A table of cases ends with { 0 }.
 */
struct t_case {
	const char *name;
	int args;
	void (*run)(int n, char **a);
};

/*
 * t_main runs `PROGRAM CASE ARGS...`: the case named CASE in cases with ARGS,
 * then prints the totals (t_report). An unknown case or too few arguments
 * is a failed check.
 */
static inline int t_main(int argc, char **argv, const struct t_case *cases)
{
	const char *c = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? argc - 2 : 0;
	const struct t_case *k = cases;

	while (k->name != NULL && strcmp(k->name, c) != 0)
		k++;
	if (k->name == NULL) {
		char known[1024] = "";
		size_t used = 0;

		for (k = cases; k->name != NULL && used < sizeof known; k++)
			used += (size_t)snprintf(known + used, sizeof known - used, " %s", k->name);
		CHECK(0, "unknown case %s, known:%s", c, known);
	} else if (n < k->args) {
		CHECK(n >= k->args, "%s needs %d argument%s, got %d", c, k->args, k->args == 1 ? "" : "s", n);
	} else {
		k->run(n, argv + 2);
	}
	return t_report();
}

#endif
