#include "exec/engine.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/real.h"

/* Bounds for a hostile or damaged file: every count and size is checked against them. */
#define MAX_HEADERS 4096
#define NAMES_ROOM 8192 /* section names read: Go's come early; no allocation (this runs between fork and exec) */

struct elf {
	int fd, bits, swap;
};

static int get(const struct elf *e, uint64_t off, void *buf, size_t n)
{
	return pread(e->fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static uint64_t num(const struct elf *e, const unsigned char *p, int size)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[e->swap ? size - 1 - i : i] << (8 * i);
	return v;
}

/* The fields both classes share, from their offsets in Elf32_Ehdr / Elf64_Ehdr. */
#define H(f64, f32, sz64, sz32) (e->bits == 64 ? num(e, h + (f64), (sz64)) : num(e, h + (f32), (sz32)))

/* has_interp returns 1 when a PT_INTERP program header exists (ld.so starts the program), 0 if not, -1 damaged. */
static int has_interp(const struct elf *e, const unsigned char *h)
{
	uint64_t off = H(32, 28, 8, 4), n = H(56, 44, 2, 2), size = H(54, 42, 2, 2);
	unsigned char ph[64];

	if (n > MAX_HEADERS || (n > 0 && size < (e->bits == 64 ? 56u : 32u)) || size > sizeof ph)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		if (get(e, off + i * size, ph, (size_t)size) < 0)
			return -1;
		if (num(e, ph, 4) == PT_INTERP)
			return 1;
	}
	return 0;
}

/* is_go returns 1 when a section .go.buildinfo or .note.go.buildid exists. */
static int is_go(const struct elf *e, const unsigned char *h)
{
	uint64_t off = H(40, 32, 8, 4), n = H(60, 48, 2, 2), size = H(58, 46, 2, 2), str = H(62, 50, 2, 2);
	unsigned char sh[64];
	uint64_t names_off, names_size;
	char names[NAMES_ROOM + 1];
	int go = 0;

	if (n == 0 || n > MAX_HEADERS || str >= n || size < (e->bits == 64 ? 64u : 40u) || size > sizeof sh)
		return 0;
	if (get(e, off + str * size, sh, (size_t)size) < 0)
		return 0;
	names_off = e->bits == 64 ? num(e, sh + 24, 8) : num(e, sh + 16, 4);
	names_size = e->bits == 64 ? num(e, sh + 32, 8) : num(e, sh + 20, 4);
	if (names_size > NAMES_ROOM)
		names_size = NAMES_ROOM;
	if (names_size > 0 && get(e, names_off, names, (size_t)names_size) == 0) {
		names[names_size] = 0;
		for (uint64_t i = 0; i < n && !go; i++) {
			uint64_t at;

			if (get(e, off + i * size, sh, (size_t)size) < 0)
				break;
			at = num(e, sh, 4);
			if (at < names_size && (strcmp(names + at, ".go.buildinfo") == 0 ||
						strcmp(names + at, ".note.go.buildid") == 0))
				go = 1;
		}
	}
	return go;
}

/* find resolves a command name on PATH as execvp would (a name with a slash is a path). */
static int find(const char *name, char *out, unsigned room)
{
	const char *path = getenv("PATH"), *p, *end;

	if (strchr(name, '/') != NULL)
		return snprintf(out, room, "%s", name) < (int)room && access(out, F_OK) == 0 ? 0 : -1;
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(out, room, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", name) < (int)room &&
		    access(out, X_OK) == 0)
			return 0;
		if (*end == 0)
			return -1;
	}
}

/*
 * interpreter reads a "#!" line of head (n bytes): the interpreter, or
 * for "#!/usr/bin/env NAME" NAME, into out. Returns 0, or -1.
 */
static int interpreter(const char *head, size_t n, char *out, unsigned room)
{
	char line[256], *w, *save;
	size_t k = 0;

	for (size_t i = 2; i < n && head[i] != '\n' && k + 1 < sizeof line; i++)
		line[k++] = head[i];
	line[k] = 0;
	if ((w = strtok_r(line, " \t\r", &save)) == NULL)
		return -1;
	if (strcmp(strrchr(w, '/') ? strrchr(w, '/') + 1 : w, "env") == 0) {
		while ((w = strtok_r(NULL, " \t\r", &save)) != NULL && w[0] == '-')
			;
		if (w == NULL)
			return -1;
	}
	return find(w, out, room);
}

/*
 * t64_engine_of says which engine program path (a name looked up on PATH,
 * or a path) needs: the seccomp one for a statically linked or a Go
 * program, the preload one for anything else (a dynamically linked one,
 * or what exec will refuse anyway); a #! script by its interpreter. *why
 * says why ("dynamic", "static", "go", "not-elf", "missing"), resolved
 * the file judged. Allocates nothing (it runs between fork and exec).
 */
enum t64_engine t64_engine_of(const char *path, const char **why, char *resolved, unsigned room)
{
	char name[4096], head[256];
	struct elf e;
	unsigned char *h = (unsigned char *)head;
	ssize_t n;
	int depth, interp;

	if (find(path, name, sizeof name) < 0) {
		*why = "missing";
		return T64_E_PRELOAD;
	}
	for (depth = 0; depth < 5; depth++) {
		snprintf(resolved, room, "%s", name);
		if ((e.fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
			*why = "missing";
			return T64_E_PRELOAD;
		}
		n = pread(e.fd, head, sizeof head, 0);
		if (n >= 2 && head[0] == '#' && head[1] == '!') {
			t64_close(e.fd);
			if (interpreter(head, (size_t)n, name, sizeof name) < 0) {
				*why = "missing";
				return T64_E_PRELOAD;
			}
			continue;
		}
		if (n < 64 || memcmp(head, ELFMAG, SELFMAG) != 0 ||
		    (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64)) {
			t64_close(e.fd);
			*why = "not-elf";
			return T64_E_PRELOAD;
		}
		e.bits = h[EI_CLASS] == ELFCLASS64 ? 64 : 32;
		e.swap = h[EI_DATA] == ELFDATA2MSB; /* num() reads little-endian unless told */
		interp = has_interp(&e, h);
		if (is_go(&e, h)) {
			*why = "go";
		} else if (interp == 0) {
			*why = "static";
		} else {
			*why = interp < 0 ? "not-elf" : "dynamic";
			t64_close(e.fd);
			return T64_E_PRELOAD;
		}
		t64_close(e.fd);
		return T64_E_SECCOMP;
	}
	*why = "missing";
	return T64_E_PRELOAD;
}
