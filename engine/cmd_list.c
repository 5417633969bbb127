/*
 * cmd_list: the list commands (being written).
 */
#include "engine/command.h"

const struct command list_commands[] = {
    {.name = NULL},
};
