/*
 * The shared vectors, read by the C half: testdata/rfc6052.tsv,
 * decisions.tsv, rfc7050.tsv, prefix-order.tsv and the config/valid and config/invalid .conf + .expect
 * (formats in docs/DESIGN.md), plus raw DNS answers parsed here.
 * Usage: vectors TESTDATA_DIR
 *        vectors --dump FILE...   (print each file's canonical dump)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "plan/decide.h"
#include "dns/wire.h"
#include "prefix/order.h"
#include "check.h"

static const char *dir;

/*
 * each_row calls fn for every non-comment row of the TSV file name (in
 * dir), split at tabs into at most 8 fields. Returns the rows seen, or -1
 * when the file cannot be opened (counted as a failure).
 */
static int each_row(const char *name, void (*fn)(char **f, int n, int line))
{
	char *path = NULL, *line = NULL;
	size_t cap = 0;
	int rows = 0, lineno = 0;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	f = fopen(path, "r");
	CHECK(f != NULL, "vector file %s: %s", path, strerror(errno));
	if (f == NULL) {
		free(path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *fields[8], *save = NULL, *tok;
		int n = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (tok = strtok_r(line, "\t", &save); tok && n < 8;
		     tok = strtok_r(NULL, "\t", &save))
			fields[n++] = tok;
		fn(fields, n, lineno);
		rows++;
	}
	free(line);
	fclose(f);
	free(path);
	return rows;
}

/* prefix parses a prefix field or fails the test. Returns 0 or -1. */
static int prefix(const char *text, struct t64_prefix *p, int line)
{
	const char *code;
	int rc = t64_parse_prefix(text, p, &code);

	CHECK(rc == 0, "line %d: prefix %s: %s", line, text, code);
	return rc;
}

/* rfc6052_row: prefix/len, ipv4, synthesized; both directions. */
static void rfc6052_row(char **f, int n, int line)
{
	struct t64_prefix p;
	struct in_addr v4;
	uint8_t a[16], want[16];
	char got[T64_ADDRSTR];

	CHECK(n == 3, "rfc6052.tsv line %d: %d fields", line, n);
	if (n != 3 || prefix(f[0], &p, line) < 0)
		return;
	CHECK(inet_pton(AF_INET, f[1], &v4) == 1, "line %d: %s", line, f[1]);
	CHECK(inet_pton(AF_INET6, f[2], want) == 1, "line %d: %s", line, f[2]);
	t64_synthesize(&p, ntohl(v4.s_addr), a);
	t64_format6(a, got);
	CHECK(strcmp(got, f[2]) == 0, "rfc6052.tsv line %d: synthesize %s %s = %s",
	      line, f[0], f[1], got);
	CHECK(t64_extract(want, p.len) == ntohl(v4.s_addr),
	      "rfc6052.tsv line %d: extract %s", line, f[2]);
}

/* load parses testdata/config/valid/NAME into cfg. Returns 0 or -1. */
static int load(const char *name, struct t64_config *cfg, int line)
{
	char *path = NULL;
	int rc;

	if (asprintf(&path, "%s/config/valid/%s", dir, name) < 0)
		return -1;
	rc = t64_config_load(path, cfg);
	CHECK(rc == 0, "decisions.tsv line %d: config %s: %s", line, path,
	      cfg->err_msg ? cfg->err_msg : "missing");
	free(path);
	return rc == 0 ? 0 : -1;
}

/* decision_row: config, default_prefix, dest, method, reason, prefix, address. */
static void decision_row(char **f, int n, int line)
{
	struct t64_config cfg = { 0 };
	struct t64_prefix dflt, *dp = NULL;
	struct t64_decision d;
	char ptext[T64_ADDRSTR + 4] = "-", atext[T64_ADDRSTR] = "-";
	uint32_t ip, port;
	char *colon;

	CHECK(n == 7, "decisions.tsv line %d: %d fields", line, n);
	if (n != 7)
		return;
	if (strcmp(f[0], "-") != 0 && load(f[0], &cfg, line) < 0)
		goto out;
	if (strcmp(f[1], "-") != 0) {
		if (prefix(f[1], &dflt, line) < 0)
			goto out;
		dp = &dflt;
	} else if (cfg.has_prefix) {
		dp = &cfg.prefix;
	}
	colon = strchr(f[2], ':');
	if (colon == NULL || t64_parse_ipv4(f[2], (size_t)(colon - f[2]), &ip) < 0 ||
	    t64_parse_u32(colon + 1, strlen(colon + 1), 65535, &port) < 0) {
		CHECK(0, "decisions.tsv line %d: dest %s", line, f[2]);
		goto out;
	}
	t64_decide(&cfg, dp, ip, (uint16_t)port, &d);
	if (d.method == T64_NAT64) {
		uint8_t a[16];

		t64_format_prefix(d.prefix, ptext);
		t64_synthesize(d.prefix, ip, a);
		t64_format6(a, atext);
	}
	CHECK(strcmp(t64_method_name(d.method), f[3]) == 0 &&
		      strcmp(t64_reason_name(d.reason), f[4]) == 0 &&
		      strcmp(ptext, f[5]) == 0 && strcmp(atext, f[6]) == 0,
	      "decisions.tsv line %d: %s %s %s: got %s %s %s %s", line, f[0],
	      f[1], f[2], t64_method_name(d.method), t64_reason_name(d.reason),
	      ptext, atext);
out:
	t64_config_free(&cfg);
}

/* rfc7050_row: case, answers (comma separated or -), expected prefixes. */
static void rfc7050_row(char **f, int n, int line)
{
	uint8_t ans[T64_MAX_ANSWERS][16];
	struct t64_prefix got[T64_MAX_ANSWERS];
	size_t na = 0, ng;
	char *save = NULL, *tok, *out = NULL;
	size_t outlen = 0;
	FILE *m;

	CHECK(n == 3, "rfc7050.tsv line %d: %d fields", line, n);
	if (n != 3)
		return;
	for (tok = strcmp(f[1], "-") ? strtok_r(f[1], ",", &save) : NULL;
	     tok && na < T64_MAX_ANSWERS; tok = strtok_r(NULL, ",", &save))
		CHECK(inet_pton(AF_INET6, tok, ans[na++]) == 1,
		      "rfc7050.tsv line %d: answer %s", line, tok);
	ng = t64_rfc7050_prefixes((const uint8_t(*)[16])ans, na, got,
				  T64_MAX_ANSWERS);
	m = open_memstream(&out, &outlen);
	for (size_t i = 0; i < ng; i++) {
		char p[T64_ADDRSTR + 4];

		t64_format_prefix(&got[i], p);
		fprintf(m, "%s%s", i ? "," : "", p);
	}
	if (ng == 0)
		fputs("-", m);
	fclose(m);
	CHECK(strcmp(out, f[2]) == 0, "rfc7050.tsv line %d (%s): got %s want %s",
	      line, f[0], out, f[2]);
	free(out);
}

/* read_file returns the contents of path (NUL-terminated), or NULL. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

/* config_dir checks every NAME.conf in config/SUB against NAME.expect. */
static void config_dir(const char *sub)
{
	char *path = NULL;
	struct dirent *e;
	int cases = 0;
	DIR *d;

	if (asprintf(&path, "%s/config/%s", dir, sub) < 0)
		return;
	d = opendir(path);
	CHECK(d != NULL, "config directory %s: %s", path, strerror(errno));
	while (d && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *conf = NULL, *exp = NULL, *want, *got = NULL;
		size_t glen = 0;
		struct t64_config cfg;
		FILE *m;

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		cases++;
		if (asprintf(&conf, "%s/%s", path, e->d_name) < 0 ||
		    asprintf(&exp, "%s/%.*s.expect", path, (int)(len - 5),
			     e->d_name) < 0)
			break;
		want = read_file(exp);
		CHECK(want != NULL, "%s missing", exp);
		t64_config_load(conf, &cfg);
		m = open_memstream(&got, &glen);
		t64_config_dump(&cfg, m);
		fclose(m);
		if (want != NULL)
			CHECK(strcmp(got, want) == 0, "%s:\n got:\n%s want:\n%s",
			      conf, got, want);
		CHECK((strcmp(sub, "valid") == 0) == (cfg.err_code == NULL),
		      "%s: %s", conf, cfg.err_msg ? cfg.err_msg : "valid");
		t64_config_free(&cfg);
		free(want);
		free(got);
		free(conf);
		free(exp);
	}
	CHECK(cases > 0, "no .conf cases in %s", path);
	if (d)
		closedir(d);
	free(path);
}

/*
 * dns_answers parses recorded raw answers: a compressed answer with two
 * AAAA records and a CNAME, a truncated one, an error response.
 */
static void dns_answers(void)
{
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
		/* question: ipv4only.arpa AAAA IN */
		8, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 4, 'a', 'r', 'p',
		'a', 0, 0, 28, 0, 1,
		/* CNAME (ignored), name by pointer to offset 12 */
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 50, 0, 2, 0xc0, 12,
		/* AAAA 64:ff9b:1::c000:aa, TTL 300 */
		0xc0, 12, 0, 28, 0, 1, 0, 0, 1, 44, 0, 16, 0, 0x64, 0xff, 0x9b,
		0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0xaa,
		/* AAAA 64:ff9b:1::c000:ab, TTL 120 */
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 120, 0, 16, 0, 0x64, 0xff, 0x9b,
		0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0xab,
	};
	uint8_t ans[4][16], bad[sizeof msg];
	struct t64_prefix p[4];
	size_t n;
	uint32_t ttl;
	char text[T64_ADDRSTR + 4];

	CHECK(t64_dns_aaaa(msg, sizeof msg, ans, 4, &n, &ttl) == 0, "parse");
	CHECK(n == 2 && ttl == 120, "n=%zu ttl=%u", n, ttl);
	CHECK(t64_rfc7050_prefixes((const uint8_t(*)[16])ans, n, p, 4) == 1,
	      "one prefix");
	t64_format_prefix(&p[0], text);
	CHECK(strcmp(text, "64:ff9b:1::/96") == 0, "prefix %s", text);
	CHECK(t64_dns_aaaa(msg, sizeof msg - 5, ans, 4, &n, &ttl) < 0,
	      "truncated answer refused");
	memcpy(bad, msg, sizeof msg);
	bad[3] = 0x83; /* NXDOMAIN */
	CHECK(t64_dns_aaaa(bad, sizeof bad, ans, 4, &n, &ttl) < 0, "rcode");
	bad[3] = 0x80;
	bad[29] = 0xc0; /* a pointer in the question pointing to itself */
	bad[30] = 29;
	CHECK(t64_dns_aaaa(bad, sizeof bad, ans, 4, &n, &ttl) <= 0,
	      "no loop on a self pointer");
}

/*
 * whole_file: problems with the file as a whole (not in the shared
 * vectors): more than 1 MiB, a directory, and a missing file (= none).
 */
static void whole_file(void)
{
	char path[] = "/tmp/tnat64-vectors-XXXXXX";
	struct t64_config cfg;
	int fd = mkstemp(path);
	char *big = malloc(T64_CONF_MAX + 1);

	CHECK(fd >= 0 && big != NULL, "temporary file");
	if (fd < 0 || big == NULL)
		goto out;
	memset(big, '#', T64_CONF_MAX + 1);
	CHECK(write(fd, big, T64_CONF_MAX + 1) == T64_CONF_MAX + 1, "write");
	CHECK(t64_config_load(path, &cfg) < 0 && cfg.err_line == 0 &&
		      strcmp(cfg.err_code, "file-too-large") == 0,
	      "1 MiB + 1: %s", cfg.err_code ? cfg.err_code : "valid");
	t64_config_free(&cfg);
	CHECK(ftruncate(fd, T64_CONF_MAX) == 0 &&
		      t64_config_load(path, &cfg) == 0,
	      "exactly 1 MiB of comments is fine");
	t64_config_free(&cfg);
	CHECK(t64_config_load("/", &cfg) < 0 &&
		      strcmp(cfg.err_code, "unreadable") == 0,
	      "a directory is unreadable");
	t64_config_free(&cfg);
	CHECK(t64_config_load("/nonexistent/tnat64.conf", &cfg) == 1 &&
		      cfg.err_code == NULL && !cfg.has_prefix,
	      "a missing file means no configuration");
	t64_config_free(&cfg);
out:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(big);
}

/*
 * dump_files prints the canonical dump of each file, each followed by a
 * line "--" (the differential fuzz, fuzz/diff.mjs, compares them with the
 * TypeScript parser's). Returns 0.
 */
static int dump_files(int n, char **files)
{
	for (int i = 0; i < n; i++) {
		struct t64_config cfg;

		t64_config_load(files[i], &cfg);
		t64_config_dump(&cfg, stdout);
		fputs("--\n", stdout);
		t64_config_free(&cfg);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The learned sources of one prefix-order row, and how often each was asked. */
struct learned_row {
	const struct t64_prefix *pref64, *discovered;
	int asked_pref64, asked_discovered;
};

static const struct t64_prefix *row_pref64(void *ctx)
{
	struct learned_row *l = ctx;

	l->asked_pref64++;
	return l->pref64;
}

static const struct t64_prefix *row_discovered(void *ctx)
{
	struct learned_row *l = ctx;

	l->asked_discovered++;
	return l->discovered;
}

/*
 * optional_prefix parses field f ("-": none) into *p the way the library
 * takes TNAT64_PREFIX and nat64_prefix. Returns p, or NULL for "-" or an
 * invalid prefix (ignored, as the library ignores it).
 */
static const struct t64_prefix *optional_prefix(const char *f, struct t64_prefix *p)
{
	const char *code;

	return strcmp(f, "-") != 0 && t64_parse_prefix(f, p, &code) == 0 ? p : NULL;
}

/* prefix_order_row checks one row of prefix-order.tsv against t64_prefix_order. */
static void prefix_order_row(char **f, int n, int line)
{
	struct t64_prefix env, file, pref64, disc;
	struct learned_row l = { 0 };
	struct t64_learned src = { row_pref64, row_discovered, &l };
	const struct t64_prefix *out;
	enum t64_origin o;
	char got[T64_ADDRSTR + 4] = "-";
	int learn;

	CHECK(n == 7, "prefix-order.tsv:%d: 7 fields, got %d", line, n);
	if (n != 7)
		return;
	learn = strcmp(f[2], "-") == 0 || strcmp(f[2], "0") != 0;
	l.pref64 = optional_prefix(f[3], &pref64);
	l.discovered = optional_prefix(f[4], &disc);
	o = t64_prefix_order(optional_prefix(f[0], &env), optional_prefix(f[1], &file), learn, &src, &out);
	if (out != NULL)
		t64_format_prefix(out, got);
	CHECK(strcmp(got, f[5]) == 0 && strcmp(t64_origin_name(o), f[6]) == 0,
	      "prefix-order.tsv:%d: %s from %s, expected %s from %s", line, got, t64_origin_name(o), f[5], f[6]);
	/* The learned sources are asked only when needed: discovery costs a DNS exchange. */
	CHECK(l.asked_pref64 == (o >= T64_O_PREF64 || (o == T64_O_NONE && learn)) &&
		      l.asked_discovered == (o == T64_O_DISCOVERY || (o == T64_O_NONE && learn)),
	      "prefix-order.tsv:%d: PREF64 asked %d times, discovery %d", line, l.asked_pref64, l.asked_discovered);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump_files(argc - 2, argv + 2);
	dir = argc > 1 ? argv[1] : "../testdata";
	CHECK(each_row("rfc6052.tsv", rfc6052_row) > 0, "rfc6052.tsv rows");
	CHECK(each_row("decisions.tsv", decision_row) > 0, "decisions.tsv rows");
	CHECK(each_row("rfc7050.tsv", rfc7050_row) > 0, "rfc7050.tsv rows");
	CHECK(each_row("prefix-order.tsv", prefix_order_row) > 0, "prefix-order.tsv rows");
	config_dir("valid");
	config_dir("invalid");
	dns_answers();
	whole_file();
	return t_report();
}
