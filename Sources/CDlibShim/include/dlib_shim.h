// Plain-C face API over dlib (C++), so Swift needs no C++ interop. One context per thread:
// dlib's detectors and networks keep scratch state and are not thread-safe.
#ifndef FORENSIC_DLIB_SHIM_H
#define FORENSIC_DLIB_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlibshim_context dlibshim_context;

typedef struct {
    int left, top, width, height;   // in source pixels
    double score;                   // detector confidence (HOG: SVM margin; MMOD: CNN score)
    float landmarks[10];            // 5 points (x, y): eye corners x4, nose base
} dlibshim_face;

/// Loads the models. `mmod_model` may be NULL (then MMOD detection is unavailable).
/// Returns NULL and writes a message into `err` on failure.
dlibshim_context *dlibshim_create(const char *shape_model, const char *embedding_model,
                                  const char *mmod_model, char *err, size_t err_len);
/// An independent copy for another thread (no file I/O).
dlibshim_context *dlibshim_clone(const dlibshim_context *ctx);
void dlibshim_destroy(dlibshim_context *ctx);

/// Finds faces in a packed RGB image and fits 5 landmarks to each. `upsample` doubles the image
/// that many times first (finds faces down to ~40 px → ~20 px per step). `use_mmod` selects the CNN.
/// When `chips` is not NULL, also writes each face's aligned 150x150 RGB chip (67500 bytes,
/// packed, one after another) cut from the full-resolution image.
/// Returns the number of faces written (at most `max_faces`), or -1 with `err` set.
int dlibshim_detect(dlibshim_context *ctx, const uint8_t *rgb, int width, int height,
                    int upsample, double min_score, int use_mmod,
                    dlibshim_face *faces, uint8_t *chips, int max_faces, char *err, size_t err_len);

/// Landmarks (and chips when `chips` is not NULL) for faces another detector found: `boxes` in
/// source pixels, in dlib's box convention (brows to chin). Writes `count` faces or returns -1.
int dlibshim_fit(dlibshim_context *ctx, const uint8_t *rgb, int width, int height,
                 const dlibshim_face *boxes, int count, dlibshim_face *faces, uint8_t *chips,
                 char *err, size_t err_len);

/// 128-D descriptors for `count` aligned 150x150 RGB chips (packed one after another).
int dlibshim_describe(dlibshim_context *ctx, const uint8_t *chips, int count,
                      float *descriptors_out, char *err, size_t err_len);

/// Threads OpenBLAS may use per call (1 when several workers already fill the cores). A no-op
/// when the BLAS in use is not OpenBLAS.
void dlibshim_set_blas_threads(int threads);

/// The kernel set OpenBLAS picked for this CPU (e.g. "SkylakeX", "Haswell"), or NULL when the
/// BLAS in use is not OpenBLAS.
const char *dlibshim_blas_core(void);

/// One pair of 128-D descriptors closer than the asked distance.
typedef struct { int32_t query; int32_t gallery; float distance; } dlibshim_pair;

/// Every (query, gallery) pair of 128-D descriptors (packed float32 rows) closer than
/// `max_distance`, by BLAS matrix products over tiles (|q-g|² = |q|² + |g|² - 2 q·g), each
/// pair's distance then computed directly so results equal a plain scan's. Sets `*pairs` to a
/// malloc'd array (free it with `free`) and returns how many, or -1 when memory ran out.
int64_t dlibshim_pairs_within(const float *queries, int32_t query_count, const float *gallery,
                              int32_t gallery_count, float max_distance, dlibshim_pair **pairs);

#ifdef __cplusplus
}
#endif
#endif
