/* vmafx: the scorer and (later) the client of the controller. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: vmafx COMMAND [options]\n\n"
               "commands:\n"
               "  score     score a distorted video against its reference (libvmaf's `vmaf` options)\n"
               "  version   print the version\n\n"
               "`vmafx -r REF -d DIS ...` (options first) is the same as `vmafx score ...`.\n"
               "Run `vmafx COMMAND --help` for the options of a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (cmd[0] == '-' && strcmp(cmd, "--help") && strcmp(cmd, "-h") && strcmp(cmd, "-"))
        return cmd_score(argc, argv);   /* drop-in for libvmaf's `vmaf` */
    if (!strcmp(cmd, "score")) return cmd_score(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("vmafx %s\n", VMAFX_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "vmafx: error: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
