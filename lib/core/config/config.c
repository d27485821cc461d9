#include "config/config.h"
#include "base/real.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parser state for one file; cfg is filled as lines are accepted. */
struct parse {
	const char *file;
	unsigned line;
	const char *text; /* the current line, trimmed, without comment */
	struct t64_config *cfg;
	struct t64_path *path; /* the open `path {`, or NULL */
	unsigned path_line;
	const char *path_text;
};

/*
 * fail records the first error: code, line and a message naming the file,
 * the line, the offending text and what was expected. Returns -1; errno is
 * left as it was.
 */
static int fail(struct parse *ps, const char *code, const char *expected)
{
	struct t64_config *cfg = ps->cfg;
	int saved = errno;
	char *msg = NULL;

	cfg->err_line = ps->line;
	cfg->err_code = code;
	if ((ps->line ? asprintf(&msg, "%s:%u: `%s`: expected %s", ps->file,
				 ps->line, ps->text, expected) :
			asprintf(&msg, "%s: %s: expected %s", ps->file,
				 ps->text, expected)) < 0)
		msg = NULL;
	cfg->err_msg = msg;
	errno = saved;
	return -1;
}

/*
 * grow appends one zeroed element of size sz to the array *arr holding *n.
 * Returns a pointer to it, or NULL when out of memory (errno ENOMEM).
 */
static void *grow(void *arr, size_t *n, size_t sz)
{
	void **p = arr;
	char *na = realloc(*p, (*n + 1) * sz);

	if (na == NULL)
		return NULL;
	*p = na;
	memset(na + *n * sz, 0, sz);
	return na + (*n)++ * sz;
}

/*
 * t64_parse_prefix parses "ADDR" (= /96) or "ADDR/LEN". Returns 0 and fills
 * *out, or -1 with *code set to the DESIGN.md error code. No errno.
 */
int t64_parse_prefix(const char *s, struct t64_prefix *out, const char **code)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[T64_ADDRSTR];
	uint8_t b[16];
	uint32_t len = 96;

	*code = "bad-prefix";
	if (alen == 0 || alen >= sizeof addr)
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, b) != 1)
		return -1;
	if (slash != NULL) {
		*code = "bad-prefix-length";
		if (strlen(slash + 1) > 3 ||
		    t64_parse_u32(slash + 1, strlen(slash + 1), 128, &len) < 0)
			return -1;
	}
	*code = "bad-prefix-length";
	if (!t64_prefix_len_ok(len))
		return -1;
	t64_prefix_mask(b, len, out);
	*code = "prefix-host-bits";
	if (memcmp(out->b, b, 16) != 0)
		return -1;
	*code = "prefix-u-octet";
	if (b[8] != 0)
		return -1;
	return t64_prefix_usable(out, code);
}

/*
 * t64_prefix_usable checks that p can be a NAT64 prefix at all: not
 * ::ffff:0:0/96 (IPv4-mapped addresses: the kernel sends them over IPv4,
 * never to a NAT64), not the all-zero :: (::/96 makes the deprecated
 * IPv4-compatible addresses), not in ff00::/8 (multicast). Returns 0 with
 * *code NULL, or -1 with *code "prefix-mapped", "prefix-zero" or
 * "prefix-multicast". No errno.
 */
int t64_prefix_usable(const struct t64_prefix *p, const char **code)
{
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[16];

	*code = "prefix-mapped";
	if (p->len == 96 && memcmp(p->b, mapped, 16) == 0)
		return -1;
	*code = "prefix-zero";
	if (memcmp(p->b, zero, 16) == 0)
		return -1;
	*code = "prefix-multicast";
	if (p->b[0] == 0xff)
		return -1;
	*code = NULL;
	return 0;
}

/* How to fix a prefix t64_prefix_usable refuses. */
#define USE_ANOTHER "use the network's NAT64 prefix (`tnat64 discover` shows it) or the well-known 64:ff9b::/96"

/*
 * t64_prefix_expected returns what a prefix should have been, given the
 * code t64_parse_prefix reported (for the file and TNAT64_PREFIX alike).
 */
const char *t64_prefix_expected(const char *code)
{
	static const struct {
		const char *code, *text;
	} texts[] = {
		{ "bad-prefix-length", "a prefix length of 32, 40, 48, 56, 64 or 96" },
		{ "prefix-host-bits", "no bits set after the prefix length" },
		{ "prefix-u-octet", "bits 64-71 (the u-octet) zero, as RFC 6052 requires" },
		{ "prefix-mapped", "a NAT64 prefix, not ::ffff:0:0/96: addresses in it are IPv4-mapped, which the kernel "
				   "sends over IPv4, never to a NAT64; " USE_ANOTHER },
		{ "prefix-zero", "a NAT64 prefix, not the all-zero ::: ::/96 is the deprecated IPv4-compatible range, "
				 "which no NAT64 serves; " USE_ANOTHER },
		{ "prefix-multicast", "a unicast NAT64 prefix, not one in ff00::/8 (multicast); " USE_ANOTHER },
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(code, texts[i].code) == 0)
			return texts[i].text;
	return "an IPv6 prefix ADDR or ADDR/LEN, e.g. 64:ff9b::/96 or 2001:db8:100::/40";
}

/*
 * parse_net parses "a.b.c.d/MASK" (dotted mask or 0..32) into *addr and *mask.
 * Returns 0, or -1 with *code set. No errno.
 */
static int parse_net(const char *s, size_t n, uint32_t *addr, uint32_t *mask,
		     const char **code)
{
	const char *slash = memchr(s, '/', n);
	const char *m;
	size_t mlen;
	uint32_t v;

	*code = "bad-net";
	if (slash == NULL || t64_parse_ipv4(s, (size_t)(slash - s), addr) < 0)
		return -1;
	*code = "bad-mask";
	m = slash + 1;
	mlen = n - (size_t)(m - s);
	if (memchr(m, '.', mlen) != NULL) {
		if (t64_parse_ipv4(m, mlen, &v) < 0 || t64_mask_bits(v) < 0)
			return -1;
		*mask = v;
	} else {
		if (mlen > 2 || t64_parse_u32(m, mlen, 32, &v) < 0)
			return -1;
		*mask = t64_mask_of(v);
	}
	*code = "net-host-bits";
	if (*addr & ~*mask)
		return -1;
	*code = NULL;
	return 0;
}

/*
 * parse_port parses the n characters at p as a port (1 to 5 digits, at
 * most 65535). Returns 0 with *port set, or -1. No errno.
 */
static int parse_port(const char *p, size_t n, uint32_t *port)
{
	return n > 5 ? -1 : t64_parse_u32(p, n, 65535, port);
}

/*
 * parse_subnet parses "a.b.c.d[:PORT[-PORT]]/MASK". A single port 0 means
 * any port; no port means all ports. Returns 0 or -1 with *code set. No
 * errno.
 */
static int parse_subnet(const char *s, struct t64_subnet *sn, const char **code)
{
	const char *slash = strchr(s, '/');
	const char *colon = memchr(s, ':', slash ? (size_t)(slash - s) : 0);
	uint32_t lo = 0, hi = 65535;
	char *net = NULL;
	int rc = -1;

	if (colon != NULL) {
		const char *p = colon + 1;
		const char *dash = memchr(p, '-', (size_t)(slash - p));

		*code = "bad-net";
		if (t64_parse_ipv4(s, (size_t)(colon - s), &lo) < 0)
			goto out;
		*code = "bad-port";
		if (parse_port(p, (size_t)((dash ? dash : slash) - p), &lo) < 0)
			goto out;
		hi = lo;
		if (dash != NULL &&
		    parse_port(dash + 1, (size_t)(slash - dash - 1), &hi) < 0)
			goto out;
		if (lo > hi)
			goto out;
		if (dash == NULL && lo == 0)
			hi = 65535;
		if (asprintf(&net, "%.*s%s", (int)(colon - s), s, slash) < 0) {
			net = NULL;
			goto out;
		}
		s = net;
	}
	if (parse_net(s, strlen(s), &sn->addr, &sn->mask, code) < 0)
		goto out;
	sn->lo = (uint16_t)lo;
	sn->hi = (uint16_t)hi;
	rc = 0;
out:
	free(net);
	return rc;
}

/*
 * t64_parse_pool parses a stand-in range "a.b.c.d/LEN", LEN 16..30 (the
 * table has 2^16 slots; a /31 or /32 leaves no usable address), with no
 * bits set past LEN, outside 0/8, 127/8 and 224/3. Returns 0 with *net
 * (host order) and *len set, or -1 with *code set. No errno.
 */
int t64_parse_pool(const char *s, uint32_t *net, unsigned *len,
		   const char **code)
{
	const char *slash = strchr(s, '/');
	uint32_t ip, l;

	*code = "bad-standin-pool";
	if (slash == NULL || t64_parse_ipv4(s, (size_t)(slash - s), &ip) < 0 ||
	    strlen(slash + 1) > 2 ||
	    t64_parse_u32(slash + 1, strlen(slash + 1), 32, &l) < 0 ||
	    l < 16 || l > 30)
		return -1;
	*code = "standin-pool-host-bits";
	if (ip & ~t64_mask_of(l))
		return -1;
	*code = "standin-pool-reserved";
	if (ip >> 24 == 0 || ip >> 24 == 127 || ip >> 29 == 7)
		return -1;
	*code = NULL;
	*net = ip;
	*len = l;
	return 0;
}

/* t64_pool_expected returns what a stand-in range should have been. */
const char *t64_pool_expected(const char *code)
{
	if (strcmp(code, "standin-pool-host-bits") == 0)
		return "no bits set after LEN (the range's first address, "
		       "e.g. 198.19.0.0/16, not 198.19.0.1/16)";
	if (strcmp(code, "standin-pool-reserved") == 0)
		return "a range outside 0/8, 127/8 and 224/3 (multicast, "
		       "reserved, broadcast), e.g. 198.19.0.0/16";
	if (strcmp(code, "duplicate-standin-pool") == 0)
		return "one standin_pool only";
	return "a.b.c.d/LEN with LEN 16-30, e.g. 198.19.0.0/16 (the "
	       "default, 65534 stand-ins) or 198.19.0.0/24 (254)";
}

/* The keywords, where they are allowed, and what a value must look like. */
enum key { K_PREFIX, K_LOCAL, K_SUBNET, K_IDENTITY, K_POOL };

/*
 * expected returns what a value for keyword k should have looked like,
 * given the error code its parser reported.
 */
static const char *expected(const char *code, enum key k)
{
	static const struct {
		const char *code, *text;
	} texts[] = {
		{ "bad-mask", "a contiguous dotted mask or a length 0-32" },
		{ "net-host-bits", "no host bits set under the mask" },
		{ "bad-port", "PORT or LOW-HIGH, ports 0-65535, LOW <= HIGH" },
		{ "bad-identity", "a unicast IPv4 address a.b.c.d, not in 0/8, "
				  "127/8 or 224/3, e.g. 192.0.0.2" },
		{ "duplicate-identity", "one ipv4_identity only" },
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(code, texts[i].code) == 0)
			return texts[i].text;
	return k == K_SUBNET ? "a.b.c.d[:PORT[-PORT]]/MASK, e.g. "
			       "150.0.0.0:80-1024/255.255.0.0" :
			       "a.b.c.d/MASK, e.g. 10.0.0.0/8 or "
			       "10.0.0.0/255.0.0.0";
}

/*
 * assign handles "KEY = VALUE" with KEY already known to be allowed here.
 * Returns 0, or -1 after recording the error. errno ENOMEM on allocation
 * failure (recorded as an error too).
 */
static int assign(struct parse *ps, enum key k, const char *v)
{
	struct t64_config *cfg = ps->cfg;
	const char *code;

	if (k == K_PREFIX) {
		struct t64_prefix p;
		int *has = ps->path ? &ps->path->has_prefix : &cfg->has_prefix;

		if (*has)
			return fail(ps,
				    ps->path ? "path-duplicate-prefix" :
					       "duplicate-prefix",
				    "one nat64_prefix only here");
		if (t64_parse_prefix(v, &p, &code) < 0)
			return fail(ps, code, t64_prefix_expected(code));
		*(ps->path ? &ps->path->prefix : &cfg->prefix) = p;
		*has = 1;
	} else if (k == K_IDENTITY) {
		uint32_t ip;

		if (cfg->has_identity)
			return fail(ps, "duplicate-identity",
				    expected("duplicate-identity", k));
		if (t64_parse_ipv4(v, strlen(v), &ip) < 0 || ip >> 24 == 0 ||
		    ip >> 24 == 127 || ip >> 29 == 7)
			return fail(ps, "bad-identity",
				    expected("bad-identity", k));
		cfg->identity = ip;
		cfg->has_identity = 1;
	} else if (k == K_POOL) {
		if (cfg->has_pool)
			return fail(ps, "duplicate-standin-pool",
				    t64_pool_expected("duplicate-standin-pool"));
		if (t64_parse_pool(v, &cfg->pool_net, &cfg->pool_len, &code) < 0)
			return fail(ps, code, t64_pool_expected(code));
		cfg->has_pool = 1;
	} else if (k == K_LOCAL) {
		struct t64_net net, *slot;

		if (parse_net(v, strlen(v), &net.addr, &net.mask, &code) < 0)
			return fail(ps, code, expected(code, k));
		slot = grow(&cfg->local, &cfg->nlocal, sizeof *slot);
		if (slot == NULL)
			return fail(ps, "unreadable", "memory to hold it");
		*slot = net;
	} else {
		struct t64_subnet sn, *slot;

		if (parse_subnet(v, &sn, &code) < 0)
			return fail(ps, code, expected(code, k));
		slot = grow(&ps->path->sub, &ps->path->nsub, sizeof *slot);
		if (slot == NULL)
			return fail(ps, "unreadable", "memory to hold it");
		*slot = sn;
	}
	return 0;
}

/* is_space returns 1 for the blanks a line may contain around tokens. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* is_word returns 1 for the characters of a word (as regex \w). */
static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * parse_line handles one line (NUL-terminated, comment removed, trimmed,
 * non-empty). The keyword is the text before `=` (trimmed), or the first
 * word when there is no `=`. Returns 0 or -1 after recording the error. No
 * errno.
 */
static int parse_line(struct parse *ps, char *s)
{
	struct t64_config *cfg = ps->cfg;
	char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : strcspn(s, " \t\r\v\f");
	char *v;
	enum key k;

	if (strcmp(s, "}") == 0) {
		if (ps->path == NULL)
			return fail(ps, "unexpected-close",
				    "`}` only to close a `path {` block");
		if (ps->path->nsub == 0)
			return fail(ps, "path-no-subnet",
				    "at least one `subnet = ...` in the path");
		if (!ps->path->has_prefix)
			return fail(ps, "path-no-prefix",
				    "one `nat64_prefix = ...` in the path");
		ps->path = NULL;
		return 0;
	}
	if (strncmp(s, "path", 4) == 0 && !is_word(s[4])) {
		for (v = s + 4; is_space(*v); v++)
			;
		if (v[0] != '{' || v[1] != '\0')
			return fail(ps, "unknown-key",
				    "`path {` alone on its line");
		if (ps->path != NULL)
			return fail(ps, "nested-path",
				    "`}` to close the open path first");
		ps->path = grow(&cfg->path, &cfg->npath, sizeof *ps->path);
		if (ps->path == NULL)
			return fail(ps, "unreadable", "memory to hold it");
		ps->path_line = ps->line;
		ps->path_text = ps->text;
		return 0;
	}
	while (klen > 0 && is_space(s[klen - 1]))
		klen--;
	if (klen == 12 && strncmp(s, "nat64_prefix", 12) == 0)
		k = K_PREFIX;
	else if (klen == 5 && strncmp(s, "local", 5) == 0 && !ps->path)
		k = K_LOCAL;
	else if (klen == 6 && strncmp(s, "subnet", 6) == 0 && ps->path)
		k = K_SUBNET;
	else if (klen == 13 && strncmp(s, "ipv4_identity", 13) == 0 &&
		 !ps->path)
		k = K_IDENTITY;
	else if (klen == 12 && strncmp(s, "standin_pool", 12) == 0 &&
		 !ps->path)
		k = K_POOL;
	else
		return fail(ps, "unknown-key",
			    ps->path ? "`subnet =`, `nat64_prefix =` or `}`" :
				       "`nat64_prefix =`, `local =`, "
				       "`ipv4_identity =`, `standin_pool =` "
				       "or `path {`");
	if (eq == NULL)
		return fail(ps, "missing-equals", "`KEYWORD = VALUE`");
	for (v = eq + 1; is_space(*v); v++)
		;
	if (*v == '\0')
		return fail(ps, "missing-value", "a value after `=`");
	return assign(ps, k, v);
}

/*
 * t64_config_parse parses len bytes of text (need not be NUL-terminated),
 * naming file in messages. Returns 0 with *cfg filled, or -1 with
 * cfg->err_* set and nothing else applied. Never exits; errno preserved.
 */
int t64_config_parse(const char *text, size_t len, const char *file,
		     struct t64_config *cfg)
{
	struct parse ps = { .file = file, .cfg = cfg };
	int saved = errno;
	char *buf = malloc(len + 1);
	const char *nul;
	char *line;
	int rc = -1;

	memset(cfg, 0, sizeof *cfg);
	if (buf == NULL) {
		ps.text = "";
		fail(&ps, "unreadable", "memory to read the file");
		goto out;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* A NUL would end the text early and apply only what precedes it. */
	nul = memchr(buf, '\0', len);
	if (nul != NULL) {
		ps.text = buf;
		for (const char *c = buf; c < nul; c++)
			if (*c == '\n') {
				ps.line++;
				ps.text = c + 1;
			}
		ps.line++;
		fail(&ps, "nul-byte", "no NUL byte (one follows this text)");
		goto out;
	}
	for (line = buf; line != NULL;) {
		char *nl = strchr(line, '\n');
		char *end;

		if (nl != NULL)
			*nl = '\0';
		ps.line++;
		line[strcspn(line, "#")] = '\0';
		while (is_space(*line))
			line++;
		end = line + strlen(line);
		while (end > line && is_space(end[-1]))
			*--end = '\0';
		ps.text = line;
		if (*line != '\0' && parse_line(&ps, line) < 0)
			goto out;
		line = nl ? nl + 1 : NULL;
	}
	if (ps.path != NULL) {
		ps.line = ps.path_line;
		ps.text = ps.path_text;
		fail(&ps, "unclosed-path", "`}` closing this path");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		char *msg = cfg->err_msg;
		const char *code = cfg->err_code;
		unsigned eline = cfg->err_line;

		cfg->err_msg = NULL;
		t64_config_free(cfg);
		cfg->err_msg = msg;
		cfg->err_code = code;
		cfg->err_line = eline;
	}
	free(buf);
	errno = saved;
	return rc;
}

/*
 * t64_is_dev_null returns 1 when st (from fstat) is the character device
 * /dev/null is, else 0. errno preserved.
 */
int t64_is_dev_null(const struct stat *st)
{
	struct stat null;
	int saved = errno, rc;

	rc = S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 &&
	     S_ISCHR(null.st_mode) && st->st_rdev == null.st_rdev;
	errno = saved;
	return rc;
}

/*
 * t64_config_load reads and parses file (at most T64_CONF_MAX bytes).
 * Returns 1 when the file does not exist (cfg empty, no error), 0 when it
 * parsed, -1 on error with cfg->err_* set (unreadable, not-a-file when it
 * is neither a regular file nor /dev/null, file-too-large, nul-byte or a
 * syntax error). errno preserved.
 */
int t64_config_load(const char *file, struct t64_config *cfg)
{
	struct parse ps = { .file = file, .cfg = cfg, .text = "" };
	int saved = errno;
	size_t len = 0, cap = 4096;
	char *buf = NULL;
	struct stat st;
	int fd, rc = -1;

	memset(cfg, 0, sizeof *cfg);
	/* Non-blocking: opening a FIFO must not wait for a writer. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			rc = 1;
			goto out;
		}
		ps.text = strerror(errno);
		fail(&ps, "unreadable", "a readable file");
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ps.text = strerror(errno);
		fail(&ps, "unreadable", "a readable file");
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ps.text = strerror(EISDIR);
		fail(&ps, "unreadable", "a readable file");
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !t64_is_dev_null(&st)) {
		ps.text = "not a regular file";
		fail(&ps, "not-a-file", "a regular file (or /dev/null)");
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap || buf == NULL) {
			char *nb = realloc(buf, cap *= 2);

			if (nb == NULL) {
				ps.text = "out of memory";
				fail(&ps, "unreadable", "memory to read it");
				goto out;
			}
			buf = nb;
		}
		/* Never more than one byte past the limit. */
		n = read(fd, buf + len,
			 cap - len < T64_CONF_MAX + 1 - len ?
				 cap - len :
				 T64_CONF_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ps.text = strerror(errno);
			fail(&ps, "unreadable", "a readable file");
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > T64_CONF_MAX) {
			ps.text = "too large";
			fail(&ps, "file-too-large", "at most 1 MiB");
			goto out;
		}
	}
	rc = t64_config_parse(buf, len, file, cfg);
out:
	if (fd >= 0)
		t64_close(fd);
	free(buf);
	errno = saved;
	return rc;
}

/*
 * t64_config_dump prints the canonical dump of DESIGN.md to out: the
 * settings, or "error LINE CODE". Returns nothing; errno preserved.
 */
void t64_config_dump(const struct t64_config *cfg, FILE *out)
{
	char a[T64_ADDRSTR + 4], n[T64_ADDRSTR];
	int saved = errno;

	if (cfg->err_code != NULL) {
		fprintf(out, "error %u %s\n", cfg->err_line, cfg->err_code);
		goto out;
	}
	if (cfg->has_prefix) {
		t64_format_prefix(&cfg->prefix, a);
		fprintf(out, "nat64_prefix %s\n", a);
	}
	if (cfg->has_identity) {
		t64_format4(cfg->identity, n);
		fprintf(out, "ipv4_identity %s\n", n);
	}
	if (cfg->has_pool) {
		t64_format4(cfg->pool_net, n);
		fprintf(out, "standin_pool %s/%u\n", n, cfg->pool_len);
	}
	for (size_t i = 0; i < cfg->nlocal; i++) {
		t64_format4(cfg->local[i].addr, n);
		fprintf(out, "local %s/%d\n", n,
			t64_mask_bits(cfg->local[i].mask));
	}
	for (size_t i = 0; i < cfg->npath; i++) {
		const struct t64_path *p = &cfg->path[i];

		t64_format_prefix(&p->prefix, a);
		for (size_t j = 0; j < p->nsub; j++) {
			t64_format4(p->sub[j].addr, n);
			fprintf(out, "path %s %s/%d %u-%u\n", a, n,
				t64_mask_bits(p->sub[j].mask), p->sub[j].lo,
				p->sub[j].hi);
		}
	}
out:
	errno = saved;
}

/* t64_config_free releases what cfg owns and empties it. No errno. */
void t64_config_free(struct t64_config *cfg)
{
	for (size_t i = 0; i < cfg->npath; i++)
		free(cfg->path[i].sub);
	free(cfg->path);
	free(cfg->local);
	free(cfg->err_msg);
	memset(cfg, 0, sizeof *cfg);
}
