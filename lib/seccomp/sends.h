/* Sends with a destination (sendto, sendmsg, sendmmsg), answered through lib/core. */
#ifndef T64_SC_SENDS_H
#define T64_SC_SENDS_H

#include "target.h"

void sc_on_sendto(struct sc_call *c);
void sc_on_sendmsg(struct sc_call *c);
void sc_on_sendmmsg(struct sc_call *c);

#endif
