/* `vmafx jobs`: a page of jobs as a table (short ids, scores, labels, inputs, errors), CSV or
 * the API's JSON, or a summary of the page by the values of one label; the "more" line
 * repeats the filters it was given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"

#define SHORT_ID 8 /* shown in the table; any unique prefix is accepted back */

static const char *str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? s : "";
}

/* "vmaf_v0.6.1=93.12 vmaf_neg=90.01" (sep between), "" when there is no score. */
static void scores_text(json_t *job, char *out, size_t n, const char *sep, int digits)
{
    char label[160];
    double mean;
    int r;
    *out = 0;
    for (size_t i = 0; (r = client_model_score(job, i, label, sizeof(label), &mean)) >= 0; i++) {
        if (r) continue; /* no score (yet) */
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%s=%.*f", used ? sep : "", label, digits, mean);
    }
}

static void labels_text(json_t *job, char *out, size_t n, const char *sep)
{
    const char *k;
    json_t *v;
    *out = 0;
    json_object_foreach(json_object_get(job, "labels"), k, v)
    {
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%s=%s", used ? sep : "", k, json_string_value(v));
    }
}

static const char *base_name(const char *uri)
{
    const char *slash = strrchr(uri, '/');
    return slash && slash[1] ? slash + 1 : uri;
}

static void table_row(json_t *job)
{
    char scores[512], labels[512], when[20];
    scores_text(job, scores, sizeof(scores), " ", 2);
    labels_text(job, labels, sizeof(labels), ",");
    snprintf(when, sizeof(when), "%.19s", str(job, "created_at"));
    if (strlen(when) > 10) when[10] = ' ';
    printf("%-8.8s  %-9s  %-19s  %-24s  %-20s  %s -> %s", str(job, "id"), str(job, "status"), when,
           *scores ? scores : "-", *labels ? labels : "-", base_name(str(job, "reference_uri")),
           base_name(str(job, "distorted_uri")));
    const char *err = json_string_value(json_object_get(job, "error"));
    if (err) printf("  error: %.80s%s", err, strlen(err) > 80 ? "..." : "");
    putchar('\n');
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void csv_field(const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"') putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static void csv_row(json_t *job)
{
    char scores[1024], labels[2048];
    scores_text(job, scores, sizeof(scores), ";", 6);
    labels_text(job, labels, sizeof(labels), ";");
    const char *err = json_string_value(json_object_get(job, "error"));
    const char *f[] = { str(job, "id"),
                        str(job, "status"),
                        str(job, "created_at"),
                        str(job, "finished_at"),
                        str(job, "reference_uri"),
                        str(job, "distorted_uri"),
                        labels,
                        scores,
                        err ? err : "" };
    for (size_t i = 0; i < 9; i++) csv_field(f[i], i == 8);
}

/* ---- summary by label ---- */

typedef struct Group {
    char value[JOB_LABEL_VALUE_MAX];
    unsigned jobs, completed, failed, scored;
    double sum, min, max;
    char model[160];
} Group;

static Group *group_of(Group *g, size_t *n, const char *value)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(g[i].value, value)) return &g[i];
    Group *x = &g[(*n)++];
    memset(x, 0, sizeof(*x));
    snprintf(x->value, sizeof(x->value), "%s", value);
    return x;
}

static void add_to_group(Group *x, json_t *job)
{
    const char *st = str(job, "status");
    x->jobs++;
    x->completed += !strcmp(st, "completed");
    x->failed += !strcmp(st, "failed");
    char label[160];
    double mean;
    if (client_model_score(job, 0, label, sizeof(label), &mean)) return; /* the first model's score */
    if (!x->scored) snprintf(x->model, sizeof(x->model), "%s", label);
    x->min = !x->scored || mean < x->min ? mean : x->min;
    x->max = !x->scored || mean > x->max ? mean : x->max;
    x->sum += mean;
    x->scored++;
}

static void print_groups(const Group *g, size_t n, const char *key, const char *format)
{
    if (!strcmp(format, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_pack("{sssisisi}", key, g[i].value, "jobs", (int)g[i].jobs, "completed",
                                  (int)g[i].completed, "failed", (int)g[i].failed);
            if (g[i].scored)
                json_object_set_new(o, "score",
                                    json_pack("{sssfsfsfsi}", "model", g[i].model, "mean",
                                              g[i].sum / g[i].scored, "min", g[i].min, "max", g[i].max,
                                              "jobs", (int)g[i].scored));
            json_array_append_new(arr, o);
        }
        json_t *doc = json_pack("{so}", "groups", arr);
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        putchar('\n');
        json_decref(doc);
        return;
    }
    int csv = !strcmp(format, "csv");
    printf(csv ? "%s,jobs,completed,failed,model,mean,min,max\n"
               : "%-20s  jobs  completed  failed  score (first model)\n",
           key);
    for (size_t i = 0; i < n; i++) {
        const Group *x = &g[i];
        if (csv) {
            csv_field(x->value, 0);
            printf("%u,%u,%u,", x->jobs, x->completed, x->failed);
            if (x->scored) printf("%s,%f,%f,%f\n", x->model, x->sum / x->scored, x->min, x->max);
            else printf(",,,\n");
        } else {
            printf("%-20s  %4u  %9u  %6u", x->value, x->jobs, x->completed, x->failed);
            if (x->scored)
                printf("  %s mean %.2f min %.2f max %.2f", x->model, x->sum / x->scored, x->min, x->max);
            putchar('\n');
        }
    }
}

static int summary(json_t *page, const char *key, const char *format)
{
    json_t *jobs = json_object_get(page, "jobs"), *job;
    Group *g = calloc(json_array_size(jobs) + 1, sizeof(*g));
    if (!g) return cli_error("out of memory");
    size_t n = 0, i;
    json_array_foreach(jobs, i, job)
    {
        const char *value = json_string_value(json_object_get(json_object_get(job, "labels"), key));
        add_to_group(group_of(g, &n, value ? value : "(none)"), job);
    }
    print_groups(g, n, key, format);
    free(g);
    return 0;
}

/* ---- the page ---- */

/* The same command for the next page: every filter given, then the cursor. */
static void more_hint(FILE *f, const ConfigValues *v, const char *next)
{
    static const char *const keep[] = { "status", "label", "limit", "format", "summary" };
    fprintf(f, "%smore: vmafx jobs", f == stderr ? "vmafx: " : "");
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        const char *val = config_str(v, keep[i]);
        if (val && (strcmp(keep[i], "limit") || strcmp(val, "50")) &&
            (strcmp(keep[i], "format") || strcmp(val, "table")))
            fprintf(f, " --%s %s", keep[i], val);
    }
    fprintf(f, " --cursor %s\n", next);
}

static int print_page(json_t *page, const ConfigValues *v, const char *format)
{
    const char *next = json_string_value(json_object_get(page, "next_cursor"));
    const char *key = config_str(v, "summary");
    if (key) {
        if (summary(page, key, format)) return 1;
    } else if (!strcmp(format, "json")) {
        json_dumpf(page, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        fputc('\n', stdout);
        return 0; /* next_cursor is in it */
    } else {
        size_t i;
        json_t *job;
        if (!strcmp(format, "csv"))
            printf("id,status,created_at,finished_at,reference_uri,distorted_uri,labels,scores,error\n");
        else if (json_array_size(json_object_get(page, "jobs")))
            printf("%-8s  %-9s  %-19s  %-24s  %-20s  %s\n", "ID", "STATUS", "CREATED (UTC)", "SCORES",
                   "LABELS", "INPUTS");
        json_array_foreach(json_object_get(page, "jobs"), i, job)
        {
            if (!strcmp(format, "csv")) csv_row(job);
            else table_row(job);
        }
    }
    /* on stderr for csv, so that the output stays one table */
    if (next) more_hint(!strcmp(format, "csv") ? stderr : stdout, v, next);
    return 0;
}

/* Appends "&key=value" with the value percent-encoded. */
static void add_arg(char *q, size_t n, const char *key, const char *val)
{
    size_t len = strlen(q);
    len += (size_t)snprintf(q + len, n - len, "%s%s=", len ? "&" : "?", key);
    for (const unsigned char *p = (const unsigned char *)val; *p && len + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            q[len++] = (char)*p;
        else len += (size_t)snprintf(q + len, n - len, "%%%02X", *p);
    }
    q[len] = 0;
}

int client_jobs(const ApiClient *api, const ConfigValues *v)
{
    const char *format = config_flag(v, "json") ? "json" : config_str(v, "format");
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
        cli_error("jobs: --format: '%s' is not table, csv or json", format);
        return 2;
    }
    char q[1024] = "", path[1100];
    static const char *const keys[] = { "status", "label", "limit", "cursor" };
    for (size_t i = 0; i < 4; i++)
        if (config_str(v, keys[i])) add_arg(q, sizeof(q), keys[i], config_str(v, keys[i]));
    snprintf(path, sizeof(path), "/v1/jobs%s", q);
    int status;
    json_t *j;
    if (client_call(api, "GET", path, NULL, NULL, &status, &j)) return 1;
    int rc = status == 200 ? print_page(j, v, format) : client_refused(status, j);
    json_decref(j);
    return rc;
}
