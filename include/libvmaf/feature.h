/* libvmaf 3.2.0 API (vmafx compatibility layer): feature option dictionaries.
 * Written for vmafx from the API's published names and signatures. */
#ifndef VMAFX_LIBVMAF_FEATURE_H
#define VMAFX_LIBVMAF_FEATURE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque list of "key" -> "value" options for a feature extractor. */
typedef struct VmafFeatureDictionary VmafFeatureDictionary;

/* Adds (or replaces) an option; *dict is created on first use. 0 or -EINVAL/-ENOMEM. */
int vmaf_feature_dictionary_set(VmafFeatureDictionary **dict, const char *key, const char *val);

/* Frees the dictionary and sets *dict to NULL. */
int vmaf_feature_dictionary_free(VmafFeatureDictionary **dict);

#ifdef __cplusplus
}
#endif
#endif
