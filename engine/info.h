/*
 * info: the INFO command's text, section by section, with Redis 7.0's field
 * names (operators, Sentinel and tools parse them). Callable from any
 * worker: it reads other workers' statistics with relaxed loads.
 */
#ifndef TANDEM_ENGINE_INFO_H
#define TANDEM_ENGINE_INFO_H

#include <stdint.h>

#include "engine/command.h"

/* INFO [section ...]: replies with the text of the asked sections. */
void info_command(struct cmdctx *ctx);
/* Totals summed over the workers (for the instantaneous metrics). */
void info_totals(uint64_t *commands, uint64_t *net_in, uint64_t *net_out);

#endif
