/* The dashboard's files, built into the controller (src/web/bundle.py writes the table from
 * the files src/web/meson.build lists: the dashboard's own and uPlot's). */
#ifndef VMAFX_WEB_ASSETS_H
#define VMAFX_WEB_ASSETS_H

#include <stddef.h>

typedef struct WebAsset {
    const char *name;          /* under /ui/; NULL ends the table */
    const unsigned char *data; /* followed by a NUL that len does not count */
    size_t len;
    const char *type; /* Content-Type */
    const char *etag; /* quoted, a digest of the content */
} WebAsset;

extern const WebAsset web_assets[];

#endif
