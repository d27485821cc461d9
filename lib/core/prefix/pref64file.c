/*
 * The PREF64 cache's format (docs/DESIGN.md "PREF64"), apart from the
 * reader so that the fuzzer (fuzz/pref64.c) can take it alone.
 */
#include "prefix/pref64.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "config/config.h"

/* field_end returns the end of the field at s (up to a blank or end). */
static const char *field_end(const char *s, const char *end)
{
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	return s;
}

/*
 * entry parses one line's four fields (PREFIX EXPIRES INTERFACE ROUTER,
 * see docs/DESIGN.md "PREF64") into *p and *exp. Returns 0, or -1 when the
 * line is not exactly that.
 */
static int entry(const char *s, const char *end, struct t64_prefix *p,
		 int64_t *exp)
{
	const char *f[4], *e[4];
	char tmp[T64_ADDRSTR + 8];
	const char *code;
	int n = 0;

	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		if (n == 4)
			return -1;
		f[n] = s;
		s = e[n] = field_end(s, end);
		n++;
	}
	if (n != 4)
		return -1;
	/* PREFIX: addr/len, as the configuration file's prefixes. */
	if ((size_t)(e[0] - f[0]) >= sizeof tmp ||
	    memchr(f[0], '/', (size_t)(e[0] - f[0])) == NULL)
		return -1;
	memcpy(tmp, f[0], (size_t)(e[0] - f[0]));
	tmp[e[0] - f[0]] = '\0';
	if (t64_parse_prefix(tmp, p, &code) != 0)
		return -1;
	/* EXPIRES: 1-12 digits (exact in a double on the TypeScript side). */
	if (e[1] - f[1] < 1 || e[1] - f[1] > 12)
		return -1;
	*exp = 0;
	for (const char *c = f[1]; c < e[1]; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		*exp = *exp * 10 + (*c - '0');
	}
	/* INTERFACE: "-" or 1-15 bytes without '/'. */
	if (e[2] - f[2] > 15 || memchr(f[2], '/', (size_t)(e[2] - f[2])))
		return -1;
	/* ROUTER: "-" or an IPv6 address. */
	if (e[3] - f[3] == 1 && *f[3] == '-')
		return 0;
	if ((size_t)(e[3] - f[3]) >= sizeof tmp)
		return -1;
	memcpy(tmp, f[3], (size_t)(e[3] - f[3]));
	tmp[e[3] - f[3]] = '\0';
	return inet_pton(AF_INET6, tmp, &(struct in6_addr){ 0 }) == 1 ? 0 : -1;
}

/*
 * t64_pref64_parse reads the cache's text (len bytes, not NUL-terminated):
 * lines end in \n; empty, a comment ('#' first), or an entry; only
 * printable ASCII, space and tab; at most T64_PREF64_ENTRIES entries and
 * T64_PREF64_MAX bytes. Returns 1 with *out and *expires of the first entry
 * not expired at now (Unix seconds), 0 for a valid file without one, -1
 * for an invalid file (used not at all). No allocation, no errno.
 */
int t64_pref64_parse(const char *buf, size_t len, int64_t now,
		     struct t64_prefix *out, int64_t *expires)
{
	const char *s = buf, *end = buf + len;
	int entries = 0, found = 0;

	if (len > T64_PREF64_MAX)
		return -1;
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *le = eol ? eol : end;
		const char *c;
		struct t64_prefix p;
		int64_t exp;

		for (c = s; c < le; c++)
			if (*c != '\t' && (*c < 0x20 || *c > 0x7e))
				return -1;
		c = s;
		while (c < le && (*c == ' ' || *c == '\t'))
			c++;
		if (*s != '#' && c < le) {
			if (++entries > T64_PREF64_ENTRIES ||
			    entry(s, le, &p, &exp) != 0)
				return -1;
			if (!found && now < exp) {
				*out = p;
				*expires = exp;
				found = 1;
			}
		}
		s = eol ? eol + 1 : end;
	}
	return found;
}
