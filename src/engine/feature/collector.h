/* Feature collector: per-frame values of every feature, keyed by libvmaf's internal feature
 * name, in the order libvmaf's reports list them (see collector_sort()); and libvmaf's
 * aggregate metrics (one value per clip, e.g. apsnr_y).
 * Thread-safe: extractors of different frames may write concurrently.
 *
 * A name starting with COLLECTOR_INTERNAL is an extractor's working value (e.g. per-frame
 * error sums its flush needs): readable by name, never reported. After collector_sort() the
 * reported features are indices 0 .. collector_count() - 1. */
#ifndef VMAFX_ENGINE_COLLECTOR_H
#define VMAFX_ENGINE_COLLECTOR_H

#include <stdbool.h>

typedef struct FeatureCollector FeatureCollector;

#define COLLECTOR_INTERNAL '.'

int collector_new(FeatureCollector **out);
void collector_free(FeatureCollector *c);

/* Stores value for (name, frame); -EEXIST if already written. */
int collector_put(FeatureCollector *c, const char *name, unsigned frame, double value);
/* Reads (name, frame); -ENOENT if never written. */
int collector_get(const FeatureCollector *c, const char *name, unsigned frame, double *value);

/* Puts the features in report order: by the first frame each was written for, then by the
 * order of writes within that frame — the same order whether frames ran in parallel or not.
 * Call once all writes are done. */
void collector_sort(FeatureCollector *c);

/* Every series, internal ones included (collector_name/collector_at take 0 .. this - 1). */
unsigned collector_all_count(const FeatureCollector *c);
/* Features reported (internal ones excluded). */
unsigned collector_count(const FeatureCollector *c);
const char *collector_name(const FeatureCollector *c, unsigned i);
/* Value i-th feature at frame; false if not written. */
bool collector_at(const FeatureCollector *c, unsigned i, unsigned frame, double *value);

/* Aggregate metrics, in the order first set (a second set of a name replaces its value). */
int collector_set_aggregate(FeatureCollector *c, const char *name, double value);
unsigned collector_aggregate_count(const FeatureCollector *c);
const char *collector_aggregate_name(const FeatureCollector *c, unsigned i);
double collector_aggregate_value(const FeatureCollector *c, unsigned i);

#endif
