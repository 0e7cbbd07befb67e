/* FFmpeg's libraries, loaded with dlopen the first time an input needs them.
 *
 * Linking libavformat pulls in some 130 shared libraries (every codec, hardware and network
 * library FFmpeg was built with); loading and relocating them cost ~70 ms of CPU at every
 * start, more than scoring a short 576x324 clip, and y4m/yuv inputs never use them. So media/
 * compiles against FFmpeg's headers but calls through this table: a file includes this header
 * after FFmpeg's, and the names below turn `av_read_frame(...)` into a call through the table.
 * libav_load() must have succeeded first: url_io_open and source.c's demuxer check call it. */
#ifndef VMAFX_MEDIA_LIBAV_API_H
#define VMAFX_MEDIA_LIBAV_API_H

#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

/* The ones a chunk's keyframe seek needs (libav_source.c). */
#define LIBAV_SEEK_FUNCTIONS(X)         \
    X(av_seek_frame)                    \
    X(avcodec_flush_buffers)            \
    X(avformat_index_get_entries_count) \
    X(avformat_index_get_entry)

/* Every FFmpeg function media/ calls. */
#define LIBAV_FUNCTIONS(X)           \
    LIBAV_SEEK_FUNCTIONS(X)          \
    X(av_demuxer_iterate)            \
    X(av_dict_free)                  \
    X(av_dict_set)                   \
    X(av_dict_set_int)               \
    X(av_find_best_stream)           \
    X(av_fourcc_make_string)         \
    X(av_frame_alloc)                \
    X(av_frame_free)                 \
    X(av_frame_unref)                \
    X(av_free)                       \
    X(av_freep)                      \
    X(av_get_pix_fmt_name)           \
    X(av_log_default_callback)       \
    X(av_log_set_callback)           \
    X(av_malloc)                     \
    X(av_match_name)                 \
    X(av_packet_alloc)               \
    X(av_packet_free)                \
    X(av_packet_unref)               \
    X(av_pix_fmt_desc_get)           \
    X(av_read_frame)                 \
    X(av_strerror)                   \
    X(avcodec_alloc_context3)        \
    X(avcodec_free_context)          \
    X(avcodec_get_name)              \
    X(avcodec_open2)                 \
    X(avcodec_parameters_to_context) \
    X(avcodec_receive_frame)         \
    X(avcodec_send_packet)           \
    X(avformat_alloc_context)        \
    X(avformat_close_input)          \
    X(avformat_find_stream_info)     \
    X(avformat_open_input)           \
    X(avio_alloc_context)            \
    X(avio_closep)                   \
    X(avio_context_free)             \
    X(avio_open2)                    \
    X(avio_read)                     \
    X(avio_read_partial)             \
    X(avio_seek)                     \
    X(avio_size)                     \
    X(sws_freeContext)               \
    X(sws_getContext)                \
    X(sws_scale)

typedef struct LibavApi {
#define LIBAV_MEMBER(name) __typeof__(name) *name;
    LIBAV_FUNCTIONS(LIBAV_MEMBER)
#undef LIBAV_MEMBER
} LibavApi;

/* Loads the libraries once (thread-safe); 0, or -1 with the reason in why. */
int libav_load(char *why, size_t n);

/* The table; only valid after libav_load() succeeded. */
const LibavApi *libav(void);

#ifndef LIBAV_API_IMPL
#define av_demuxer_iterate (libav()->av_demuxer_iterate)
#define av_dict_free (libav()->av_dict_free)
#define av_dict_set (libav()->av_dict_set)
#define av_dict_set_int (libav()->av_dict_set_int)
#define av_find_best_stream (libav()->av_find_best_stream)
#define av_fourcc_make_string (libav()->av_fourcc_make_string)
#define av_frame_alloc (libav()->av_frame_alloc)
#define av_frame_free (libav()->av_frame_free)
#define av_frame_unref (libav()->av_frame_unref)
#define av_free (libav()->av_free)
#define av_freep (libav()->av_freep)
#define av_get_pix_fmt_name (libav()->av_get_pix_fmt_name)
#define av_log_default_callback (libav()->av_log_default_callback)
#define av_log_set_callback (libav()->av_log_set_callback)
#define av_malloc (libav()->av_malloc)
#define av_match_name (libav()->av_match_name)
#define av_packet_alloc (libav()->av_packet_alloc)
#define av_packet_free (libav()->av_packet_free)
#define av_packet_unref (libav()->av_packet_unref)
#define av_pix_fmt_desc_get (libav()->av_pix_fmt_desc_get)
#define av_read_frame (libav()->av_read_frame)
#define av_strerror (libav()->av_strerror)
#define avcodec_alloc_context3 (libav()->avcodec_alloc_context3)
#define avcodec_free_context (libav()->avcodec_free_context)
#define avcodec_get_name (libav()->avcodec_get_name)
#define avcodec_open2 (libav()->avcodec_open2)
#define avcodec_parameters_to_context (libav()->avcodec_parameters_to_context)
#define avcodec_receive_frame (libav()->avcodec_receive_frame)
#define avcodec_send_packet (libav()->avcodec_send_packet)
#define avformat_alloc_context (libav()->avformat_alloc_context)
#define avformat_close_input (libav()->avformat_close_input)
#define avformat_find_stream_info (libav()->avformat_find_stream_info)
#define avformat_open_input (libav()->avformat_open_input)
#define avio_alloc_context (libav()->avio_alloc_context)
#define avio_closep (libav()->avio_closep)
#define avio_context_free (libav()->avio_context_free)
#define avio_open2 (libav()->avio_open2)
#define avio_read (libav()->avio_read)
#define avio_read_partial (libav()->avio_read_partial)
#define avio_seek (libav()->avio_seek)
#define avio_size (libav()->avio_size)
#define sws_freeContext (libav()->sws_freeContext)
#define sws_getContext (libav()->sws_getContext)
#define sws_scale (libav()->sws_scale)
#define av_seek_frame (libav()->av_seek_frame)
#define avcodec_flush_buffers (libav()->avcodec_flush_buffers)
#define avformat_index_get_entries_count (libav()->avformat_index_get_entries_count)
#define avformat_index_get_entry (libav()->avformat_index_get_entry)
#endif

#endif
