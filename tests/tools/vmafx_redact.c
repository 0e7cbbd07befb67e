/* Each line of standard input through redact_copy() (base/redact.h), for
 * tests/test_newuser_controller.py: what a log line keeps and what it hides. */
#include <stdio.h>
#include <string.h>

#include "base/redact.h"

int main(void)
{
    char line[4096], out[4096];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = 0;
        redact_copy(out, sizeof(out), line);
        puts(out);
    }
    return 0;
}
