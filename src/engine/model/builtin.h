/* Models compiled into the library from the model directory given at build time. */
#ifndef VMAFX_ENGINE_BUILTIN_H
#define VMAFX_ENGINE_BUILTIN_H

/* The model libvmaf (and vmafx score) use when none is named. */
#define BUILTIN_DEFAULT_MODEL "vmaf_v0.6.1"

/* JSON text of a built-in model ("vmaf_v0.6.1"), or NULL. */
const char *builtin_model_json(const char *version);
/* NULL-terminated list of built-in model names. */
const char *const *builtin_model_names(void);

#endif
