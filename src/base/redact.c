/* Secret redaction for log lines and error messages (see redact.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

typedef struct Out { char *p; size_t left; } Out;

static void put(Out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len && o->left > 1; i++, o->left--) *o->p++ = s[i];
}

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.'; }

static int sensitive(const char *id, size_t len)
{
    static const char *contains[] = { "pass", "secret", "token", "credential", "authorization",
                                      "cookie", "signature", "apikey", "api_key", "access_key",
                                      "account_key", "private_key", "client_secret", NULL };
    static const char *exact[] = { "key", "sig", "sas", "sas_url", "pwd", "auth", NULL };
    char low[64];
    if (len >= sizeof(low)) return 0;
    for (size_t i = 0; i < len; i++) low[i] = (char)tolower((unsigned char)id[i]);
    low[len] = 0;
    for (int i = 0; contains[i]; i++) if (strstr(low, contains[i])) return 1;
    for (int i = 0; exact[i]; i++) if (!strcmp(low, exact[i])) return 1;
    return 0;
}

/* At "://": keeps the user name of an authority, hides its password. Returns chars used. */
static size_t authority(Out *o, const char *s)
{
    size_t end = strcspn(s, "/?# \t\r\n\"'<>");
    const char *at = memchr(s, '@', end);
    if (!at) return 0;
    for (const char *q = at; q && q < s + end;) {   /* the last '@' ends the user info */
        at = q;
        q = memchr(q + 1, '@', (size_t)(s + end - q - 1));
    }
    const char *colon = memchr(s, ':', (size_t)(at - s));
    if (!colon) return 0;
    put(o, s, (size_t)(colon - s));
    put(o, ":***", 4);
    return (size_t)(at - s);
}

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
    size_t v = i;
    if (to_eol) while (s[i] && s[i] != '\n' && s[i] != '\r') i++;
    else if (quote) while (s[i] && s[i] != quote) i++;
    else while (s[i] && !strchr("&,; \t\r\n\"'})]>", s[i])) i++;
    if (i > v) put(o, "***", 3);
    return i;
}

/* "Basic xyz" / "Bearer xyz" outside of a key=value. */
static size_t scheme_token(Out *o, const char *id, size_t len, const char *s)
{
    if (!((len == 5 && !strncasecmp(id, "basic", 5)) || (len == 6 && !strncasecmp(id, "bearer", 6))))
        return 0;
    if (s[0] != ' ' || !s[1] || isspace((unsigned char)s[1])) return 0;
    size_t i = 1;
    while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '"') i++;
    put(o, " ***", 4);
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
