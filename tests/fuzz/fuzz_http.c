/* The controller's request path after the HTTP parser: routing, authorisation, body
 * validation and the store (api_handle), on a controller started once with a SQLite file and a
 * tokens file in a private temp folder, listening on 127.0.0.1 (never reached: requests are
 * handed over in memory). The input is "METHOD URL\nName: value\n...\n\nBODY"; "?a=b&c=d" in
 * the URL become query arguments. Properties: no answer is a 500 (a bad request is the
 * client's fault, 4xx; a store failure is 503); every error answer has a JSON body; a request
 * without a valid token is never answered 2xx on an /v1/ path. */
#include <jansson.h>
#include <stdlib.h>

#include "fuzz.h"
#include "controller/controller.h"

static Controller *ctl;

static const char *TOKENS = "admin-token-0123456789 admin root\n"
                            "writer-token-012345678 writer ci\n"
                            "reader-token-012345678 reader viewer\n"
                            "node-token-01234567890 node\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/vmafx-fuzz-http-XXXXXX", db[128], tok[128];
    if (!mkdtemp(dir)) abort();
    snprintf(db, sizeof(db), "%s/jobs.db", dir);
    snprintf(tok, sizeof(tok), "%s/tokens", dir);
    FILE *f = fopen(tok, "w");
    if (!f || fputs(TOKENS, f) < 0 || fclose(f)) abort();
    static StorageConfig storage;
    storage_config_defaults(&storage);
    ControllerConfig cfg = { .listen = "127.0.0.1:0",
                             .db = db,
                             .tokens_file = tok,
                             .lease_ttl = 60,
                             .max_lost = 3,
                             .backoff_base = 1,
                             .backoff_max = 60,
                             .long_poll_max = 0,
                             .max_body = 1 << 20,
                             .max_result_body = 1 << 24,
                             .max_connections = 16,
                             .storage = &storage };
    char err[512];
    if (controller_start(&ctl, &cfg, err, sizeof(err))) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
    return 0;
}

/* Splits "k=v&k2=v2" into list (in place); returns the number of entries used. */
static size_t split_args(char *q, const char **list, size_t max)
{
    size_t n = 0;
    for (char *tok; (tok = strsep(&q, "&")) && n + 2 < max;) {
        char *eq = strchr(tok, '=');
        if (eq) *eq++ = 0;
        list[n++] = tok;
        list[n++] = eq ? eq : "";
    }
    list[n] = NULL;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char *body = strstr(text, "\n\n");
    if (body) {
        *body = 0;
        body += 2;
    } else body = text + size;
    char *rest = text;
    char *line = strsep(&rest, "\n");
    char *method = strsep(&line, " ");
    char *url = line ? strsep(&line, " ") : NULL;
    if (!method || !url || url[0] != '/') {
        free(text);
        return 0;
    }
    const char *headers[34], *args[34];
    size_t nh = 0;
    for (char *h; rest && (h = strsep(&rest, "\n")) && nh + 2 < 34;) {
        char *colon = strchr(h, ':');
        if (!colon) continue;
        *colon = 0;
        headers[nh++] = h;
        headers[nh++] = colon[1] == ' ' ? colon + 2 : colon + 1;
    }
    headers[nh] = NULL;
    char *q = strchr(url, '?');
    args[0] = NULL;
    if (q) {
        *q++ = 0;
        split_args(q, args, 34);
    }
    HttpReq rq = {
        .method = method, .url = url, .body = body, .body_len = strlen(body), .headers = headers, .args = args
    };
    HttpResp resp = { 0 };
    api_handle(ctl, &rq, &resp);
    FUZZ_CHECK(resp.status >= 200 && resp.status < 600 && resp.status != 500, "%s %s answered %d: %.*s",
               method, url, resp.status, (int)resp.len, resp.body ? resp.body : "");
    if (resp.status >= 400 && resp.body) {
        json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
        FUZZ_CHECK(j && json_is_string(json_object_get(j, "error")),
                   "error answer without a JSON reason: %.*s", (int)resp.len, resp.body);
        json_decref(j);
    }
    /* the header the controller reads (the first), holding one of the tokens above */
    const char *authz = NULL;
    for (size_t i = 0; i < nh && !authz; i += 2)
        if (!strcasecmp(headers[i], "Authorization")) authz = headers[i + 1];
    int known = 0; /* the header holds one of the tokens (the property is about none) */
    for (const char *t = TOKENS; authz && *t; t = strchr(t, '\n') + 1) {
        char tok[64];
        snprintf(tok, sizeof(tok), "%.*s", (int)strcspn(t, " "), t);
        known |= strstr(authz, tok) != NULL;
    }
    if (!strncmp(url, "/v1/", 4) && !known)
        FUZZ_CHECK(resp.status >= 300, "%s %s answered %d without a token", method, url, resp.status);
    if (resp.stream.read) resp.stream.done(resp.stream.cls); /* GET /v1/events: the stream is not read */
    if (!resp.body_static) free(resp.body);
    free(text);
    return 0;
}
