/* Secret redaction for log lines and error messages (see redact.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

typedef struct Out {
    char *p;
    size_t left;
} Out;

static void put(Out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len && o->left > 1; i++, o->left--) *o->p++ = s[i];
}

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static int sensitive(const char *id, size_t len)
{
    static const char *contains[] = { "pass",          "secret",     "token",       "credential",
                                      "authorization", "cookie",     "signature",   "apikey",
                                      "api_key",       "access_key", "account_key", "private_key",
                                      "client_secret", NULL };
    static const char *exact[] = { "key", "sig", "sas", "sas_url", "pwd", "auth", NULL };
    char low[64];
    if (len >= sizeof(low)) return 0;
    for (size_t i = 0; i < len; i++) low[i] = (char)tolower((unsigned char)id[i]);
    low[len] = 0;
    for (int i = 0; contains[i]; i++)
        if (strstr(low, contains[i])) return 1;
    for (int i = 0; exact[i]; i++)
        if (!strcmp(low, exact[i])) return 1;
    return 0;
}

/* At "://": keeps the user name of an authority, hides its password. Returns chars used. */
static size_t authority(Out *o, const char *s)
{
    size_t end = strcspn(s, "/?# \t\r\n\"'<>");
    const char *at = memchr(s, '@', end);
    if (!at) return 0;
    for (const char *q = at; q && q < s + end;) { /* the last '@' ends the user info */
        at = q;
        q = memchr(q + 1, '@', (size_t)(s + end - q - 1));
    }
    const char *colon = memchr(s, ':', (size_t)(at - s));
    if (!colon) return 0;
    put(o, s, (size_t)(colon - s));
    put(o, ":***", 4);
    return (size_t)(at - s);
}

static size_t authorization_value(Out *o, const char *s);

/* After a sensitive identifier: separator kept, value replaced. Returns chars used. */
static size_t value(Out *o, const char *s, int to_eol)
{
    size_t i = 0;
    if (s[i] == '"') i++;
    while (s[i] == ' ') i++;
    /* "key=value", "key: value", "key":"value"; not "name:path" (an rclone remote). */
    if (s[i] != '=' && !(s[i] == ':' && (s[i + 1] == ' ' || s[i + 1] == '"' || i > 0))) return 0;
    i++;
    while (s[i] == ' ') i++;
    char quote = (s[i] == '"' || s[i] == '\'') ? s[i] : 0;
    if (quote) i++;
    put(o, s, i);
    if (to_eol && !quote) return i + authorization_value(o, s + i);
    size_t v = i;
    if (to_eol)
        while (s[i] && s[i] != '\n' && s[i] != '\r') i++;
    else if (quote)
        while (s[i] && s[i] != quote) i++;
    else
        while (s[i] && !strchr("&,; \t\r\n\"'})]>", s[i])) i++;
    if (i > v) put(o, "***", 3);
    return i;
}

/* A word of prose or a placeholder ("token", "TOKEN") rather than a credential: a few letters
 * of one case. Tokens are longer (vmafx's at least 16 characters) and Basic credentials are
 * base64 (mixed case, digits). */
static int plain_word(const char *s, size_t len)
{
    size_t lower = 0, upper = 0;
    for (size_t i = 0; i < len; i++) {
        lower += s[i] >= 'a' && s[i] <= 'z';
        upper += s[i] >= 'A' && s[i] <= 'Z';
    }
    return len && len <= 12 && (lower == len || upper == len);
}

static int is_scheme(const char *id, size_t len)
{
    return (len == 5 && !strncasecmp(id, "basic", 5)) || (len == 6 && !strncasecmp(id, "bearer", 6));
}

/* "Basic xyz" / "Bearer xyz": the credential after the scheme hidden, a plain word kept ("a
 * bearer token is required"). s is just past the scheme; returns chars used. */
static size_t scheme_token(Out *o, const char *id, size_t len, const char *s)
{
    if (!is_scheme(id, len)) return 0;
    if (s[0] != ' ' || !s[1] || isspace((unsigned char)s[1])) return 0;
    size_t i = 1;
    while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '"') i++;
    size_t w = i;
    while (w > 1 && strchr(").,;]", s[w - 1])) w--; /* "(Authorization: Bearer TOKEN)" */
    if (plain_word(s + 1, w - 1)) return 0;
    put(o, " ***", 4);
    return i;
}

/* An Authorization value: "Bearer xyz" / "Basic xyz" hide only the credential (the text after
 * it is read on as usual); any other scheme hides the rest of the line. Returns chars used. */
static size_t authorization_value(Out *o, const char *s)
{
    size_t len = 0;
    while (isalpha((unsigned char)s[len])) len++;
    if (is_scheme(s, len) && s[len] == ' ') {
        put(o, s, len);
        size_t k = scheme_token(o, s, len, s + len);
        return len + k;
    }
    size_t i = 0;
    while (s[i] && s[i] != '\n' && s[i] != '\r') i++;
    if (i) put(o, "***", 3);
    return i;
}

void redact_copy(char *dst, size_t n, const char *src)
{
    if (!n) return;
    Out o = { dst, n };
    const char *s = src;
    while (*s && o.left > 1) {
        if (!strncmp(s, "://", 3)) {
            put(&o, s, 3);
            s += 3;
            s += authority(&o, s);
            continue;
        }
        if (ident_char(*s) && (s == src || !ident_char(s[-1]))) {
            size_t len = 0;
            while (ident_char(s[len])) len++;
            put(&o, s, len);
            const char *id = s;
            s += len;
            if (sensitive(id, len)) s += value(&o, s, len == 13 && !strncasecmp(id, "authorization", 13));
            else s += scheme_token(&o, id, len, s);
            continue;
        }
        put(&o, s++, 1);
    }
    *o.p = 0;
}
