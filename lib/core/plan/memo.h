/* The method that worked, per destination address, for 300 s. */
#ifndef T64_MEMO_H
#define T64_MEMO_H

#include <stdint.h>

#include "plan/decide.h"

#define T64_MEMO_TTL 300

enum t64_method t64_memo_get(uint32_t ip);
void t64_memo_put(uint32_t ip, enum t64_method m);


#endif
