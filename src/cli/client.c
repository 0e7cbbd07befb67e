/* Dispatch and the small client commands: status, cancel, results, jobs (see client.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "output.h"
#include "service_options.h"

#define MAX_ANSWER (1u << 30) /* a long job's per-frame report */

int client_call(const ApiClient *api, const char *method, const char *path, const char *body,
                const char *headers, int *status, json_t **answer)
{
    ApiRequest rq = { method, path, body, body ? strlen(body) : 0, headers, 60000, MAX_ANSWER };
    ApiResponse r;
    char err[1024];
    *answer = NULL;
    *status = 0;
    if (api_call(api, &rq, &r, err, sizeof(err))) return cli_error("%s", err);
    *status = r.status;
    if (r.body) *answer = json_loadb(r.body, r.len, 0, NULL);
    api_response_free(&r);
    return 0;
}

int client_refused(int status, json_t *answer)
{
    const char *msg = json_string_value(json_object_get(answer, "error"));
    cli_error("controller: %s (HTTP %d)", msg ? msg : "unexpected answer", status);
    return 1;
}

static int job_path(char *out, size_t n, const char *id, const char *tail)
{
    if (!*id || strlen(id) > 64 || strspn(id, "0123456789abcdefABCDEF-") != strlen(id))
        return cli_error("'%.100s' is not a job id", id);
    snprintf(out, n, "/v1/jobs/%s%s", id, tail);
    return 0;
}

static void print_job_line(json_t *j, FILE *f)
{
    json_t *p = json_object_get(j, "progress");
    fprintf(f, "%s  %-9s  %s  attempts %lld  frames %lld", json_string_value(json_object_get(j, "id")),
            json_string_value(json_object_get(j, "status")),
            json_string_value(json_object_get(j, "created_at"))
                ? json_string_value(json_object_get(j, "created_at"))
                : "",
            (long long)json_integer_value(json_object_get(j, "attempts")),
            (long long)json_integer_value(json_object_get(p, "frames_done")));
    const char *node = json_string_value(json_object_get(j, "node"));
    if (node) fprintf(f, "  node %s", node);
    fputc('\n', f);
}

static int cmd_status(const ApiClient *api, const ConfigValues *v, const char *id)
{
    char path[128];
    int status;
    json_t *j;
    if (job_path(path, sizeof(path), id, "") || client_call(api, "GET", path, NULL, NULL, &status, &j))
        return 1;
    int rc = status == 200 ? 0 : client_refused(status, j);
    if (!rc && config_flag(v, "json")) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        fputc('\n', stdout);
    } else if (!rc) {
        print_job_line(j, stdout);
        const char *err = json_string_value(json_object_get(j, "error"));
        if (err) printf("error: %s\n", err);
        client_print_scores(j, stdout);
        client_print_warnings(j, stdout);
    }
    /* a script can tell a job that went wrong from the exit status, as with vmafx wait */
    const char *st = rc ? NULL : json_string_value(json_object_get(j, "status"));
    if (st && (!strcmp(st, "failed") || !strcmp(st, "cancelled"))) rc = 1;
    json_decref(j);
    return rc;
}

static int cmd_cancel(const ApiClient *api, const char *id)
{
    char path[128];
    int status;
    json_t *j;
    if (job_path(path, sizeof(path), id, "/cancel") ||
        client_call(api, "POST", path, "{}", NULL, &status, &j))
        return 1;
    int rc = status == 200 ? 0 : client_refused(status, j);
    const char *full = json_string_value(json_object_get(j, "id")); /* id may be a prefix */
    if (!rc) printf("%s cancelled\n", full ? full : id);
    json_decref(j);
    return rc;
}

static int write_text(const char *path, const char *text, size_t len)
{
    FILE *f = path && strcmp(path, "-") ? fopen(path, "wb") : stdout;
    if (!f) return cli_error("%s: %s", path, strerror(errno));
    int bad = fwrite(text, 1, len, f) != len;
    if (f != stdout) bad |= fclose(f) != 0;
    else bad |= fflush(f) != 0;
    return bad ? cli_error("%s: write failed", path ? path : "standard output") : 0;
}

/* The job's warnings on stderr beside its report (the report keeps only its note). */
static void results_warnings(const ApiClient *api, const char *id)
{
    char path[128];
    int status;
    json_t *j;
    if (job_path(path, sizeof(path), id, "") || client_call(api, "GET", path, NULL, NULL, &status, &j))
        return;
    if (status == 200) client_print_warnings(j, stderr);
    json_decref(j);
}

static int cmd_results(const ApiClient *api, const ConfigValues *v, const char *id)
{
    /* a format flag, else -o's extension, else JSON; the controller keeps JSON, XML and CSV;
     * subtitles are the CSV's rows rewritten */
    enum VmafxFormat f;
    if (output_format_or(config_flag(v, "xml"), config_flag(v, "json"), config_flag(v, "csv"),
                         config_flag(v, "sub"), config_str(v, "output"), VMAFX_FORMAT_JSON, &f))
        return 2;
    int sub = f == VMAFX_FORMAT_SUB;
    const char *fmt = f == VMAFX_FORMAT_XML ? "xml" : f == VMAFX_FORMAT_JSON ? "json" : "csv";
    char path[160];
    if (job_path(path, sizeof(path), id, "/frames")) return 1;
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "?format=%s", fmt);
    ApiRequest rq = { "GET", path, NULL, 0, NULL, 120000, MAX_ANSWER };
    ApiResponse r;
    char err[1024];
    if (api_call(api, &rq, &r, err, sizeof(err))) {
        cli_error("%s", err);
        return 1;
    }
    int rc;
    if (r.status == 200) {
        size_t len = r.len;
        char *text = sub ? client_csv_to_sub(r.body ? r.body : "", r.len, &len) : NULL;
        rc = sub && !text ? 1
             : write_text(config_str(v, "output"),
                          sub      ? text
                          : r.body ? r.body
                                   : "",
                          len)
                 ? 1
                 : 0;
        free(text);
        if (!rc) results_warnings(api, id);
    } else {
        api_error_text(&r, err, sizeof(err));
        cli_error("controller: %s", err);
        rc = 1;
    }
    api_response_free(&r);
    return rc;
}

static int run(const ClientCommand *cmd, const ConfigValues *v)
{
    ApiClient api = { .token = config_str(v, "token"), .token_file = config_str(v, "token-file") };
    char err[512];
    int wants_id = strcmp(cmd->name, "submit") && strcmp(cmd->name, "jobs") && strcmp(cmd->name, "compare");
    if (api_parse_addr(config_str(v, "controller"), &api.ep, err, sizeof(err))) {
        cli_error("%s", err);
        return 2;
    }
    api.ep.ca_file = config_str(v, "controller-ca-file");
    if (!strcmp(cmd->name, "compare")) {
        if (v->n_positional != 2) {
            cli_error("compare: give two job ids");
            return 2;
        }
        return client_compare(&api, v, v->positional[0], v->positional[1]);
    }
    if (wants_id != (v->n_positional == 1) || v->n_positional > 1) {
        cli_error("%s: %s", cmd->name, wants_id ? "give one job id" : "unexpected argument");
        return 2;
    }
    const char *id = wants_id ? v->positional[0] : NULL;
    if (!strcmp(cmd->name, "submit")) return client_submit(&api, v);
    if (!strcmp(cmd->name, "status")) return cmd_status(&api, v, id);
    if (!strcmp(cmd->name, "wait")) return client_wait(&api, id, v);
    if (!strcmp(cmd->name, "cancel")) return cmd_cancel(&api, id);
    if (!strcmp(cmd->name, "results")) return cmd_results(&api, v, id);
    return client_jobs(&api, v);
}

static const ClientCommand *find(const char *name)
{
    size_t n;
    const ClientCommand *c = client_commands(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].name, name)) return &c[i];
    return NULL;
}

int client_command_known(const char *name)
{
    return find(name) != NULL;
}

int cmd_client(int argc, char **argv)
{
    const ClientCommand *cmd = find(argv[0]);
    ConfigValues v;
    char err[512];
    if (config_parse(&v, cmd->opts, cmd->n, argc, argv, err, sizeof(err))) {
        cli_error("%s: %s (see vmafx %s --help)", cmd->name, err, cmd->name);
        return 2;
    }
    int rc;
    if (v.help) {
        config_help(stdout, cmd->usage, cmd->opts, cmd->n);
        rc = 0;
    } else {
        rc = run(cmd, &v);
    }
    config_free(&v);
    return rc;
}
