#ifndef STCLIP_CFFMPEG_SHIM_H
#define STCLIP_CFFMPEG_SHIM_H
#include <math.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

/// AVERROR(e) is a macro Swift cannot import; expose it as a function.
static inline int stclip_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF is a macro built from FFERRTAG, which Swift cannot import.
static inline int stclip_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_EXIT: what an I/O callback or interrupt callback returns to stop the library.
static inline int stclip_averror_exit(void) { return AVERROR_EXIT; }
/// AVERROR_INVALIDDATA: malformed input.
static inline int stclip_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AV_NOPTS_VALUE: "no timestamp", a cast expression Swift cannot import.
static inline int64_t stclip_nopts(void) { return AV_NOPTS_VALUE; }

/// The counter-clockwise rotation in degrees that the stream's display matrix asks for, or NAN
/// when the stream has none. (Where the matrix lives moved between FFmpeg releases.)
static inline double stclip_display_rotation(const AVStream *st) {
    const uint8_t *matrix = NULL;
#if LIBAVFORMAT_VERSION_MAJOR >= 61
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    if (sd && sd->size >= 9 * 4) matrix = sd->data;
#else
    size_t size = 0;
    matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (size < 9 * 4) matrix = NULL;
#endif
    return matrix ? av_display_rotation_get((const int32_t *)matrix) : NAN;
}
#endif
