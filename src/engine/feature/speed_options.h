/* The options speed_chroma and speed_temporal share (libvmaf's names, aliases, defaults and
 * ranges), in the order both option tables start with. */
#ifndef VMAFX_ENGINE_SPEED_OPTIONS_H
#define VMAFX_ENGINE_SPEED_OPTIONS_H

#include "extractor.h"
#include "speed.h"

enum {
    SPEED_OPT_KERNELSCALE,
    SPEED_OPT_PRESCALE,
    SPEED_OPT_METHOD,
    SPEED_OPT_SIGMA_NN,
    SPEED_OPT_NN_FLOOR,
    SPEED_OPT_MAX_VAL,
    SPEED_N_COMMON_OPTIONS
};

static const char *const speed_scale_methods[] = { "nearest", "bilinear", "bicubic", "lanczos4", NULL };

#define SPEED_COMMON_OPTIONS                                                  \
    { "speed_kernelscale", "ks", 1.0, 0.1, 4.0, true, false },                \
        { "speed_prescale", "ps", 1.0, 0.1, 4.0, true, false },               \
        { "speed_prescale_method", "psm", SPEED_NEAREST, 0, 3, true, false }, \
        { "speed_sigma_nn", "snn", 0.29, 0.1, 2.0, true, false },             \
        { "speed_nn_floor", "nnf", 0.0, 0.0, 1.0, true, false },              \
    {                                                                         \
        "speed_max_val", "mxv", 1000.0, 0.0, 1000.0, true, false              \
    }

static inline SpeedOptions speed_options_from(const double *opt, int weight_var_mode)
{
    return (SpeedOptions){
        .kernelscale = opt[SPEED_OPT_KERNELSCALE],
        .prescale = opt[SPEED_OPT_PRESCALE],
        .method = (enum SpeedScaleMethod)(int)opt[SPEED_OPT_METHOD],
        .sigma_nn = opt[SPEED_OPT_SIGMA_NN],
        .nn_floor = opt[SPEED_OPT_NN_FLOOR],
        .weight_var_mode = weight_var_mode,
    };
}

#endif
