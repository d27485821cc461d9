/* Which engine a program needs: the interposer, or the seccomp supervisor (the rule of src/core/engine.ts). */
#ifndef T64_ENGINE_H
#define T64_ENGINE_H

enum t64_engine { T64_E_PRELOAD, T64_E_SECCOMP };

enum t64_engine t64_engine_of(const char *path, const char **why, char *resolved, unsigned room);

#endif
