/*
 * cmd_set: the set commands (being written).
 */
#include "engine/command.h"

const struct command set_commands[] = {
    {.name = NULL},
};
