/* What the supervisor does for each notified call, in lib/core's terms. */
#ifndef T64_SC_CALLS_H
#define T64_SC_CALLS_H

#include "target.h"

void sc_handle(struct sc_call *c);
void sc_thread_end(void);

#endif
