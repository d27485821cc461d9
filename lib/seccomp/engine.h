/* Which engine a program needs: the same rule as src/core/engine.ts. */
#ifndef T64_SC_ENGINE_H
#define T64_SC_ENGINE_H

enum sc_engine { E_PRELOAD, E_SECCOMP };

/* Why: "dynamic", "static", "go", "not-elf", "missing". */
enum sc_engine sc_engine_of(const char *path, const char **why, char *resolved, unsigned room);

#endif
