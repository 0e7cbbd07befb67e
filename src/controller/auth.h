/* Bearer tokens with roles, from a token file: one token a line, "TOKEN ROLE [NAME]", '#'
 * starts a comment. Roles: reader (read jobs), writer (also submit and cancel), admin
 * (everything), node (only the node endpoints). A node token with a NAME acts only as the
 * node of that name (a NAME ending in '*' is a prefix: "vmafx-node-*"; "*" is any node). The
 * file is read again when it changes (checked at most once a second), so tokens rotate
 * without a restart; a file that no longer parses keeps the previous tokens and logs why.
 * Tokens are kept as SHA-256 digests and compared in constant time. */
#ifndef VMAFX_CONTROLLER_AUTH_H
#define VMAFX_CONTROLLER_AUTH_H

#include <stddef.h>

#include "base/log.h"

typedef enum { PERM_READ = 1, PERM_WRITE = 2, PERM_NODE = 4 } Permission;

#define AUTH_MIN_TOKEN 16
#define AUTH_NAME_MAX 64

typedef struct Auth Auth;

/* path NULL or "": no authentication (every request is allowed, as "anonymous"). */
int auth_open(Auth **out, const char *path, const Log *log, char *err, size_t n);
void auth_close(Auth *a);
int auth_enabled(const Auth *a);
/* 0 when the Authorization header value grants need (who: the token's name), 401 when there
 * is no token or it is unknown, 403 when its role does not include need or when node (the
 * node a node endpoint is called for, NULL for others) is not the one a node token is bound
 * to. 400 when the value holds a control character (len: its length, NULs included). */
int auth_check(Auth *a, const char *authorization, size_t len, Permission need, const char *node, char *who,
               size_t n);
/* 1 when the Authorization header value holds a bearer token at all (recognised or not): what
 * tells "a token is required" from "token not recognised" after a 401. */
int auth_token_given(const char *authorization);

#endif
