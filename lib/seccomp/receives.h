/* Receives that show the sender (recvfrom, recvmsg, recvmmsg), answered through lib/core. */
#ifndef T64_SC_RECEIVES_H
#define T64_SC_RECEIVES_H

#include "target.h"

void sc_on_recvfrom(struct sc_call *c);
void sc_on_recvmsg(struct sc_call *c);
void sc_on_recvmmsg(struct sc_call *c);

#endif
