/* vmafx: the scorer and (later) the client of the controller. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: vmafx COMMAND [options]\n\n"
               "commands:\n"
               "  score     score a distorted video against its reference (libvmaf's `vmaf` options)\n"
               "  submit    submit a scoring job to a controller (vmafx-controller)\n"
               "  status    show a job            wait      wait for a job to end\n"
               "  cancel    cancel a job          results   a completed job's per-frame report\n"
               "  jobs      list jobs            compare   two jobs frame by frame\n"
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
    if (client_command_known(cmd)) return cmd_client(argc - 1, argv + 1);
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
