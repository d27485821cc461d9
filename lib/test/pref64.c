/*
 * The library's PREF64 cache reader (lib/core/prefix/pref64.c).
 *   pref64 vectors TESTDATA   the `cache` rows of testdata/pref64.tsv
 *   pref64 file PATH WANT     t64_pref64 with TNAT64_PREF64_FILE=PATH gives
 *                             WANT ("none" or addr/len), once the file is
 *                             read and again from memory
 *   pref64 live DIR           expiry and re-reading as time passes (6 s)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prefix/pref64.h"
#include "check.h"

/* unescape decodes \n \t \r \\ \xNN of s in place. Returns the length. */
static size_t unescape(char *s)
{
	char *o = s;

	for (char *i = s; *i; i++) {
		if (*i != '\\' || i[1] == '\0') {
			*o++ = *i;
			continue;
		}
		i++;
		if (*i == 'x' && i[1] && i[2]) {
			char hex[3] = { i[1], i[2], 0 };

			*o++ = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = *i == 'n' ? '\n' : *i == 't' ? '\t' : *i == 'r' ? '\r' : *i;
		}
	}
	return (size_t)(o - s);
}

/* expect checks t64_pref64_parse of text at now against want. */
static void expect(int line, const char *text, size_t len, int64_t now,
		   const char *want)
{
	struct t64_prefix p;
	int64_t exp = 0;
	char got[T64_ADDRSTR + 32], ps[T64_ADDRSTR + 4];
	int r = t64_pref64_parse(text, len, now, &p, &exp);

	if (r == 1) {
		t64_format_prefix(&p, ps);
		snprintf(got, sizeof got, "%s %lld", ps, (long long)exp);
	} else {
		snprintf(got, sizeof got, "%s", r == 0 ? "none" : "invalid");
	}
	CHECK(strcmp(got, want) == 0, "pref64.tsv:%d: got \"%s\", want \"%s\"",
	      line, got, want);
}

static void case_vectors(int argc, char **argv)
{
	const char *dir = argv[0];
	char path[4096], *line = NULL;
	size_t cap = 0;
	int lineno = 0, rows = 0;
	FILE *f;

	(void)argc;
	snprintf(path, sizeof path, "%s/pref64.tsv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL, "%s: %s", path, strerror(errno));
	if (f == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *fields[4] = { 0 }, *s = line;
		int n = 0;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "cache\t", 6) != 0)
			continue;
		/* An empty TEXT is a field too: split at every tab. */
		while (n < 4) {
			fields[n++] = s;
			s = strchr(s, '\t');
			if (s == NULL)
				break;
			*s++ = '\0';
		}
		CHECK(n == 4, "pref64.tsv:%d: 4 columns", lineno);
		if (n != 4)
			continue;
		expect(lineno, fields[2], unescape(fields[2]),
		       strtoll(fields[1], NULL, 10), fields[3]);
		rows++;
	}
	free(line);
	fclose(f);
	CHECK(rows >= 30, "read %d cache rows", rows);
	/* Size: 4096 bytes are read, one more refuses the whole file. */
	{
		static char big[T64_PREF64_MAX + 1];
		const char *first = "2001:db8:65::/96 2000 - -\n";

		memset(big, '#', sizeof big);
		memcpy(big, first, strlen(first));
		big[sizeof big - 1] = '\n';
		expect(__LINE__, big, sizeof big - 1, 1000,
		       "2001:db8:65::/96 2000");
		expect(__LINE__, big, sizeof big, 1000, "invalid");
	}
}

/* got_text formats t64_pref64(refresh) for comparing. */
static const char *got_text(int refresh, char out[T64_ADDRSTR + 4])
{
	const struct t64_prefix *p = t64_pref64(refresh);

	if (p == NULL)
		return "none";
	t64_format_prefix(p, out);
	return out;
}

static void case_file(int argc, char **argv)
{
	const char *path = argv[0], *want = argv[1];
	char buf[T64_ADDRSTR + 4];
	const char *got;

	(void)argc;
	setenv("TNAT64_PREF64_FILE", path, 1);
	errno = 4242;
	got = got_text(1, buf);
	CHECK(strcmp(got, want) == 0, "%s: got %s, want %s", path, got, want);
	CHECK(errno == 4242, "errno preserved: %d", errno);
	got = got_text(0, buf);
	CHECK(strcmp(got, want) == 0, "from memory: got %s, want %s", got,
	      want);
}

/* put writes one entry (prefix, expiry) to path. */
static void put(const char *path, const char *prefix, long long expires)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL, "write %s", path);
	if (f == NULL)
		return;
	fprintf(f, "# test\n%s %lld eth0 fe80::1\n", prefix, expires);
	fclose(f);
}

static void case_live(int argc, char **argv)
{
	const char *dir = argv[0];
	char path[4096], buf[T64_ADDRSTR + 4];
	const char *got;
	long long now = (long long)time(NULL);

	(void)argc;
	snprintf(path, sizeof path, "%s/pref64", dir);
	setenv("TNAT64_PREF64_FILE", path, 1);
	put(path, "2001:db8:65::/96", now + 2);
	got = got_text(1, buf);
	CHECK(strcmp(got, "2001:db8:65::/96") == 0, "first read: %s", got);
	/* A newer file is not read again within 5 s ... */
	put(path, "2001:db8:66::/96", now + 60);
	got = got_text(1, buf);
	CHECK(strcmp(got, "2001:db8:65::/96") == 0, "not re-read yet: %s", got);
	/* ... but an entry stops being used the moment it expires. */
	sleep(3);
	got = got_text(0, buf);
	CHECK(strcmp(got, "none") == 0, "expired: %s", got);
	sleep(3);
	got = got_text(1, buf);
	CHECK(strcmp(got, "2001:db8:66::/96") == 0, "re-read: %s", got);
	unlink(path);
}

static const struct t_case cases[] = {
	{ "vectors", 1, case_vectors },
	{ "file", 2, case_file },
	{ "live", 1, case_live },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
