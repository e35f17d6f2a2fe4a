#ifndef STCLIP_CFFMPEG_SHIM_H
#define STCLIP_CFFMPEG_SHIM_H
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
#endif
