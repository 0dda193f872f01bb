// FFmpeg's error and timestamp constants are function-like or compound macros that Swift's
// importer skips. These prefixed wrappers expose them; remove one when Swift imports the macro.
#ifndef FORENSIC_CFFMPEG_SHIM_H
#define FORENSIC_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <errno.h>

static inline int cffmpeg_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int cffmpeg_averror_eof(void) { return AVERROR_EOF; }
static inline int cffmpeg_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int cffmpeg_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int cffmpeg_averror_exit(void) { return AVERROR_EXIT; }
static inline int64_t cffmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational cffmpeg_time_base_q(void) { return AV_TIME_BASE_Q; }

/// av_err2str is a macro over a compound literal; this writes into the caller's buffer instead.
static inline const char *cffmpeg_err2str(int errnum, char *buf, size_t size) {
    av_strerror(errnum, buf, size);
    return buf;
}

/// AVFrame.data / linesize import as 8-tuples; index them here instead.
static inline uint8_t *cffmpeg_frame_plane(const AVFrame *f, int i) { return f->data[i]; }
static inline int cffmpeg_frame_linesize(const AVFrame *f, int i) { return f->linesize[i]; }

#endif
