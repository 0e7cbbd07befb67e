/* `vmafx submit`: the request from the flags `vmafx score` takes (cli_request_from_flags),
 * with a priority and labels, sent to the controller. It is checked here with the validator
 * the controller runs (jobspec_validate as a job), so a request no controller would take is
 * refused by flag before anything is sent; the controller checks it again (jobspec_parse,
 * the inputs' storage rules, the engine's models) and answers 400 naming the field. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/jobspec.h"
#include "cli.h"
#include "client.h"
#include "storage/storage_uri.h"

static int labels_and_priority(const ConfigValues *v, JobSpec *s)
{
    int i = config_index(v, "label");
    char err[256];
    for (size_t k = 0; k < v->list_n[i]; k++)
        if (jobspec_add_label(s, v->list[i][k], err, sizeof(err)))
            return cli_error("submit: --label: %s", err);
    const char *p = config_str(v, "priority");
    if (!p) return 0;
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p || *end || x < -JOB_PRIORITY_LIMIT || x > JOB_PRIORITY_LIMIT)
        return cli_error("submit: --priority: '%s' is not an integer from %d to %d", p, -JOB_PRIORITY_LIMIT,
                         JOB_PRIORITY_LIMIT);
    s->priority = (int)x;
    return 0;
}

static int webhook(const ConfigValues *v, JobSpec *s)
{
    const char *url = config_str(v, "webhook-url");
    char err[200];
    if (!url) return 0;
    if (strlen(url) >= sizeof(s->webhook_url))
        return cli_error("submit: --webhook-url: longer than %zu characters", sizeof(s->webhook_url) - 1);
    if (jobspec_webhook_url_ok(url, err, sizeof(err))) return cli_error("submit: --webhook-url: %s", err);
    snprintf(s->webhook_url, sizeof(s->webhook_url), "%s", url);
    return 0;
}

/* A relative local path would be looked up in the node's working directory: it is sent as
 * an absolute path (the submitter's directory), with a warning that the nodes must see the
 * file there too. URLs and remotes go as given. */
static int absolute_input(char *uri, const char *flag)
{
    StorageConfig *cfg = malloc(sizeof(*cfg));
    StorageTarget *t = malloc(sizeof(*t));
    char err[512], cwd[PATH_MAX];
    int local = cfg && t;
    if (local) {
        storage_config_defaults(cfg);
        local = !storage_parse_uri(uri, cfg, t, err, sizeof(err)) && t->kind == STORAGE_LOCAL &&
                t->location[0] != '/'; /* file:///x is absolute too */
    }
    free(cfg);
    free(t);
    if (!local || !strcmp(uri, "-")) return 0;
    if (!getcwd(cwd, sizeof(cwd)))
        return cli_error("submit: --%s %s: a relative path, and the current directory "
                         "is unknown: give an absolute path",
                         flag, uri);
    char abs[JOB_URI_MAX];
    const char *rel = !strncmp(uri, "./", 2) ? uri + 2 : uri;
    if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, rel) >= sizeof(abs))
        return cli_error("submit: --%s %s: the absolute path is too long", flag, uri);
    cli_warn("submit: --%s %s is a relative path: sent as %s, which must exist on the nodes", flag, uri, abs);
    memcpy(uri, abs, strlen(abs) + 1);
    return 0;
}

static int chunk_frames(const ConfigValues *v, JobSpec *s)
{
    char err[256];
    if (!config_str(v, "chunk-frames")) return 0;
    if (config_uint(v, "chunk-frames", &s->chunk_frames, err, sizeof(err)))
        return cli_error("submit: %s", err);
    s->chunk_given = 1;
    return 0;
}

static int build(const ConfigValues *v, JobSpec *s)
{
    if (cli_request_from_flags(v, s, "submit") || cli_request_check(s, JOB_FROM_API) ||
        cli_request_check_engine(s) || absolute_input(s->reference_uri, "reference") ||
        absolute_input(s->distorted_uri, "distorted"))
        return -1;
    return labels_and_priority(v, s) || webhook(v, s) || chunk_frames(v, s) ? -1 : 0;
}

static int send(const ApiClient *api, const ConfigValues *v, const char *body, char *id, size_t idn)
{
    char headers[400] = "";
    const char *key = config_str(v, "idempotency-key");
    if (key && (strlen(key) > 255 || strpbrk(key, "\r\n")))
        return cli_error("submit: --idempotency-key: at most 255 characters");
    if (key) snprintf(headers, sizeof(headers), "Idempotency-Key: %s\r\n", key);
    int status;
    json_t *j;
    if (client_call(api, "POST", "/v1/jobs", body, *headers ? headers : NULL, &status, &j)) return -1;
    const char *got = json_string_value(json_object_get(j, "id"));
    /* a request the controller finds bad is a usage error (exit 2), as when refused here */
    int rc = (status == 201 || status == 200) && got ? 0
             : status == 400                         ? -2 * client_refused(status, j)
                                                     : -client_refused(status, j);
    if (!rc) snprintf(id, idn, "%s", got);
    json_decref(j);
    return rc;
}

int client_submit(const ApiClient *api, const ConfigValues *v)
{
    JobSpec *s = malloc(sizeof(*s));
    if (!s) {
        cli_error("out of memory");
        return 1;
    }
    int bad = build(v, s);
    char *body = bad ? NULL : jobspec_canonical(s);
    free(s);
    if (bad) return 2;
    char id[80];
    int e = body ? send(api, v, body, id, sizeof(id)) : cli_error("out of memory");
    free(body);
    if (e) return e == -2 ? 2 : 1;
    printf("%s\n", id);
    fflush(stdout);
    return config_flag(v, "wait") ? client_wait(api, id, v) : 0;
}
