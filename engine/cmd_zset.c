/*
 * cmd_zset: the zset commands (being written).
 */
#include "engine/command.h"

const struct command zset_commands[] = {
    {.name = NULL},
};
