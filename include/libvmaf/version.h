/* libvmaf API version implemented by vmafx's compatibility layer. */
#ifndef VMAFX_LIBVMAF_VERSION_H
#define VMAFX_LIBVMAF_VERSION_H

#define VMAF_API_VERSION_MAJOR 3
#define VMAF_API_VERSION_MINOR 2
#define VMAF_API_VERSION_PATCH 0

#endif
