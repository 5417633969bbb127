/*
 * tandem-server: loads the configuration (a redis.conf-syntax file and
 * `--name value` overrides, as redis-server takes them) and runs the server.
 */
#include <stdio.h>
#include <string.h>

#include "engine/config.h"
#include "engine/server.h"

static void usage(void)
{
    fprintf(stderr, "Usage: ./tandem-server [/path/to/tandem.conf] [options] [-]\n"
                    "       ./tandem-server - (read config from stdin)\n"
                    "       ./tandem-server -v or --version\n"
                    "       ./tandem-server -h or --help\n\n"
                    "Examples:\n"
                    "       ./tandem-server (run the server with default config)\n"
                    "       ./tandem-server /etc/tandem/6379.conf\n"
                    "       ./tandem-server --port 7777\n"
                    "       ./tandem-server --port 7777 --replicaof 127.0.0.1 8888\n"
                    "       ./tandem-server /etc/mytandem.conf --loglevel verbose\n");
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int first_option = 1;

    if (argc >= 2) {
        if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
            printf("tandem server v=%s (Redis %s compatible) bits=%d\n", TANDEM_VERSION,
                   REDIS_COMPAT_VERSION, (int)(sizeof(long) * 8));
            return 0;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
            usage();
            return 0;
        }
        if (argv[1][0] != '-' || (argv[1][1] == '\0')) {
            config_path = argv[1];
            first_option = 2;
        }
    }

    config_init_defaults();
    char err[2048];
    if (config_load(config_path, argc - first_option, argv + first_option, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return server_run();
}
