/* placeholder until the extractor lands */
#include <errno.h>
#include "extractor.h"
static int init(void *priv, const ExtractorParams *p) { (void)priv; (void)p; return -ENOSYS; }
static int extract(void *priv, const FrameInput *in, FeatureCollector *out) { (void)priv; (void)in; (void)out; return -ENOSYS; }
const FeatureExtractor extractor_psnr = { .name = "psnr", .init = init, .extract = extract };
