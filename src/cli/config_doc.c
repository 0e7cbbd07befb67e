/* vmafx-config-doc: writes docs/configuration.md from the settings tables of every program,
 * so the document cannot drift from the code (tests/test_controller_docs.py regenerates it
 * and compares). */
#include <stdio.h>

#include "service_options.h"

static void section(const char *title, const char *intro, const ConfigOption *opts, size_t n)
{
    printf("\n## %s\n\n%s\n\n", title, intro);
    config_markdown(stdout, opts, n);
}

static void client_sections(void)
{
    size_t n;
    const ClientCommand *cmds = client_commands(&n);
    for (size_t i = 0; i < n; i++) {
        char title[64];
        snprintf(title, sizeof(title), "vmafx %s", cmds[i].name);
        char intro[256];
        snprintf(intro, sizeof(intro), "`%s`: %s.", cmds[i].usage + 7, cmds[i].summary);
        section(title, intro, cmds[i].opts, cmds[i].n);
    }
}

int main(void)
{
    ConfigOption opts[CONFIG_MAX_OPTIONS];
    printf("# Configuration\n\n"
           "Every setting of every vmafx program, generated from the tables the programs parse their\n"
           "options with (`build/src/cli/vmafx-config-doc > docs/configuration.md`; a test fails when\n"
           "this file and the tables disagree). A flag wins over its environment variable, which wins\n"
           "over the default. Durations are seconds (decimals allowed); sizes take K, M or G.\n");
    section("vmafx score",
            "`vmafx score -r REF -d DIS [options]`: scores locally (libvmaf's `vmaf` flags); "
            "the storage rows apply to remote inputs (s3://, sftp://, remote:path, ...).",
            opts, score_options(opts, CONFIG_MAX_OPTIONS));
    section("vmafx-controller", "The job queue's HTTP API and store (see docs/controller.md).", opts,
            controller_options(opts, CONFIG_MAX_OPTIONS));
    section("vmafx-node",
            "Leases jobs from the controller and scores them in process; the storage rows are the "
            "storage layer's (see docs/storage.md).",
            opts, node_options(opts, CONFIG_MAX_OPTIONS));
    client_sections();
    return 0;
}
