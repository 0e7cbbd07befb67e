/* The rclone.conf reader (storage/rcconf.c): which remotes a config defines and their types.
 * Properties (besides no crash or overread under the sanitizers): every remote it lists is
 * found again by name; a refusal has a reason. */
#include <errno.h>

#include "fuzz.h"
#include "storage/rcconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof(path));
    RcloneConf c;
    char err[512] = "";
    if (rcconf_open(&c, path, err, sizeof(err)) < 0) {
        FUZZ_CHECK(err[0], "refused without a reason");
    } else {
        for (int i = 0; i < c.n; i++) {
            char type[64];
            int rc = rcconf_type(&c, c.remotes[i].name, type, sizeof(type));
            FUZZ_CHECK(rc == 0 || rc == 1, "listed remote '%s' not found again (%d)", c.remotes[i].name, rc);
        }
        rcconf_close(&c);
    }
    close(fd);
    return 0;
}
