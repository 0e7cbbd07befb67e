/* The settings of `vmafx score` (flags follow libvmaf's `vmaf` command). */
#ifndef VMAFX_CLI_SCORE_OPTIONS_H
#define VMAFX_CLI_SCORE_OPTIONS_H

#include "base/config.h"

/* the storage layer adds its own rows (score_options() in service_options.c) */
static const ConfigOption score_option_rows[] = {
    { "reference", 'r', NULL, OPT_STRING, NULL, "PATH",
      "reference video: .y4m, raw .yuv, any container and codec FFmpeg reads, an http(s):// URL of any of "
      "these, or - for y4m on stdin" },
    { "distorted", 'd', NULL, OPT_STRING, NULL, "PATH", "distorted video (same kinds)" },
    { "width", 'w', NULL, OPT_UINT, NULL, "N", "width of raw .yuv input" },
    { "height", 'h', NULL, OPT_UINT, NULL, "N", "height of raw .yuv input" },
    { "pixel_format", 'p', NULL, OPT_STRING, NULL, "FMT", "pixel format of raw .yuv input: 420, 422, 444" },
    { "bitdepth", 'b', NULL, OPT_UINT, NULL, "N", "bit depth of raw .yuv input: 8, 10, 12, 16" },
    { "model", 'm', NULL, OPT_LIST, NULL, "SPEC",
      "model: version=NAME or path=FILE, with :name=N :enable_transform :disable_clip; repeatable (default "
      "version=vmaf_v0.6.1)" },
    { "feature", 0, NULL, OPT_LIST, NULL, "NAME",
      "extra feature (NAME=opt=val:opt=val; the list is below); repeatable" },
    { "output", 'o', NULL, OPT_STRING, NULL, "PATH", "write the report here (- for standard output)" },
    { "xml", 0, NULL, OPT_FLAG, NULL, NULL,
      "report as XML (the default, unless -o ends in .json, .csv or .sub)" },
    { "json", 0, NULL, OPT_FLAG, NULL, NULL, "report as JSON" },
    { "csv", 0, NULL, OPT_FLAG, NULL, NULL, "report as CSV" },
    { "sub", 0, NULL, OPT_FLAG, NULL, NULL, "report as MicroDVD subtitles" },
    { "threads", 't', "VMAFX_THREADS", OPT_UINT, "1", "N", "worker threads" },
    { "subsample", 's', NULL, OPT_UINT, "1", "N", "score every N-th frame" },
    { "frame_cnt", 0, NULL, OPT_UINT, NULL, "N", "score at most N frames" },
    { "frame_skip_ref", 0, NULL, OPT_UINT, "0", "N", "skip the first N reference frames" },
    { "frame_skip_dist", 0, NULL, OPT_UINT, "0", "N", "skip the first N distorted frames" },
    { "sync", 0, NULL, OPT_STRING, NULL, "auto[:N]",
      "find the frame offset within +-N (default 10) that maximises luma PSNR over the first frames, apply "
      "it and report it" },
    { "scale", 0, NULL, OPT_STRING, "bicubic", "METHOD",
      "when the sizes differ, scale the distorted to the reference size with bicubic, bilinear or lanczos; "
      "none: refuse" },
    { "scale-to", 0, NULL, OPT_STRING, NULL, "WxH",
      "scale both inputs to this size (e.g. 1920x1080, the size the model was trained for)" },
    { "fps-mismatch", 0, NULL, OPT_STRING, NULL, "MODE",
      "inputs of different frame rates: warn (default: score frame by frame and say so), error (refuse), "
      "resample (pick the distorted frame nearest each reference frame's time; said in the report)" },
    { "stall-timeout", 0, "VMAFX_STALL_TIMEOUT", OPT_STRING, "30", "SECONDS",
      "URL inputs: fail when no data arrives for this long" },
    { "http-retries", 0, "VMAFX_HTTP_RETRIES", OPT_UINT, "3", "N",
      "URL inputs: resume a cut transfer with a range request at most N times (0: never)" },
    { "tls-ca-file", 0, "VMAFX_TLS_CA_FILE", OPT_STRING, NULL, "PATH",
      "https inputs: verify servers against this CA bundle instead of the system's" },
    { "cpu", 0, "VMAFX_CPU", OPT_STRING, "auto", "LEVEL",
      "kernel level: auto, scalar, avx2, avx2vnni, avx512, avx512vnni" },
    { "aom_ctc", 0, NULL, OPT_STRING, NULL, "VERSION",
      "libvmaf's AOM CTC preset v1.0 to v7.0: models vmaf and vmaf_neg with PSNR, APSNR, CIEDE2000, SSIM, "
      "MS-SSIM, PSNR-HVS (CAMBI from v3.0)" },
    { "nflx_ctc", 0, NULL, OPT_STRING, NULL, "VERSION",
      "libvmaf's Netflix CTC preset v1.0: the 4K models vmaf and vmaf_neg with PSNR, APSNR, SSIM, CAMBI" },
    { "cpumask", 0, NULL, OPT_STRING, NULL, "MASK",
      "libvmaf's mask of forbidden instruction sets (1 SSE2, 2 SSSE3, 4 SSE4.1, 8 AVX2, 16 AVX-512, 32 "
      "AVX-512 ICL) as a kernel level: any of 1-8 scalar, 16 or 32 avx2, 0 the best (as libvmaf's API "
      "here)" },
    { "gpumask", 0, NULL, OPT_UINT, NULL, "MASK",
      "libvmaf's GPU mask: accepted, no effect (vmafx scores on the CPU)" },
    { "quiet", 'q', NULL, OPT_FLAG, NULL, NULL, "no progress line" },
    { "no_prediction", 'n', NULL, OPT_FLAG, NULL, NULL, "compute features only, no model score" },
    { "version", 'v', NULL, OPT_FLAG, NULL, NULL, "print the version and exit" },
    { "chunk", 0, NULL, OPT_STRING, NULL, "FIRST:END",
      "score only the job's frames FIRST to END-1 (END empty: to the end) and write the chunk's raw values "
      "(for --merge) instead of a report" },
    { "merge", 0, NULL, OPT_LIST, NULL, "FILE",
      "merge chunk files written with --chunk into the report of the whole job (the inputs are not read); "
      "repeatable" },
};

#define N_SCORE_OPTIONS (sizeof(score_option_rows) / sizeof(score_option_rows[0]))

#endif
