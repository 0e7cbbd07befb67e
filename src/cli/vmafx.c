/* vmafx: the scorer and (later) the client of the controller. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "catalog.h"
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
               "  models    list the built-in models, features and presets\n"
               "  version   print the version\n\n"
               "`vmafx -r REF -d DIS ...` (options first) is the same as `vmafx score ...`.\n"
               "Run `vmafx COMMAND --help` for the options of a command.\n");
}

/* `vmafx version [--help]`: argv[0] is the command. */
static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: vmafx version\n\nPrints vmafx's version (also: vmafx --version, vmafx score "
               "--version).\n");
        return 0;
    }
    if (argc > 1) {
        cli_error("version: unexpected argument '%s' (see vmafx version --help)", argv[1]);
        return 2;
    }
    printf("vmafx %s\n", VMAFX_VERSION);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (cmd[0] == '-' && strcmp(cmd, "--help") && strcmp(cmd, "-h") && strcmp(cmd, "-"))
        return cmd_score(argc, argv); /* drop-in for libvmaf's `vmaf` */
    if (!strcmp(cmd, "score")) return cmd_score(argc - 1, argv + 1);
    if (!strcmp(cmd, "models")) return cmd_models(argc - 1, argv + 1);
    if (client_command_known(cmd)) return cmd_client(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) return cmd_version(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "vmafx: error: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
