/* The controller's tokens file (controller/auth.c) and the Authorization check. The input is
 * "FILE\0HEADER": the file's text, then an Authorization value (which may hold NULs). The
 * properties: a file that loads answers 0, 400, 401 or 403 for any header and node; a header
 * with a control character is never granted. */
#include "fuzz.h"
#include "controller/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t flen = nul ? (size_t)(nul - data) : size;
    char path[64];
    int fd = fuzz_memfile(data, flen, path, sizeof(path));
    Auth *a = NULL;
    char err[512] = "";
    Log log = { 0 };
    if (auth_open(&a, path, &log, err, sizeof(err)) < 0) {
        FUZZ_CHECK(err[0], "tokens file refused without a reason");
    } else if (a) {
        char *hdr = nul ? fuzz_string(nul + 1, size - flen - 1) : fuzz_string((const uint8_t *)"", 0);
        size_t hlen = nul ? size - flen - 1 : 0;
        int ctl = 0;
        for (size_t i = 0; i < hlen; i++) ctl |= (unsigned char)hdr[i] < 0x20 || hdr[i] == 0x7f;
        const Permission perms[] = { PERM_READ, PERM_WRITE, PERM_NODE };
        for (int i = 0; i < 3; i++) {
            char who[AUTH_NAME_MAX + 8];
            int rc = auth_check(a, hdr, hlen, perms[i], perms[i] == PERM_NODE ? "n1" : NULL, who,
                                sizeof(who));
            FUZZ_CHECK(rc == 0 || rc == 400 || rc == 401 || rc == 403, "auth_check answered %d", rc);
            FUZZ_CHECK(!(rc == 0 && ctl && auth_enabled(a)), "a header with a control character was granted");
        }
        free(hdr);
        auth_close(a);
    }
    close(fd);
    return 0;
}
