/*
 * cmd_hash: the hash commands (being written).
 */
#include "engine/command.h"

const struct command hash_commands[] = {
    {.name = NULL},
};
