// Plain-C API over FAISS (C++; Debian's libfaiss-dev ships only the C++ library), so Swift needs
// no C++ interop: build an IVF index over face descriptors, write it after a caller's header,
// open it with its inverted lists mapped from the file, and search it by radius.
#ifndef FORENSIC_FAISS_SHIM_H
#define FORENSIC_FAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct faissshim_index faissshim_index;

/// Builds the index `description` (a FAISS factory string, e.g. "IVF1024,SQ8") over `count`
/// vectors of `dimensions` floats, L2; trained on every `train_stride`-th vector; each vector's
/// id is its position. Returns NULL and writes a message into `err` on failure.
faissshim_index *faissshim_build(const float *vectors, int64_t count, int dimensions, const char *description,
                                 int64_t train_stride, char *err, size_t err_len);

/// Writes `header` (`header_len` bytes) and then the index to `path`. 0, or -1 with `err` set.
int faissshim_write(const faissshim_index *index, const char *path, const uint8_t *header, size_t header_len,
                    char *err, size_t err_len);

/// Opens an index written by `faissshim_write`: its first `header_len` bytes are copied into
/// `header`; the inverted lists stay in the file, mapped read-only (only the probed lists are read).
faissshim_index *faissshim_open(const char *path, uint8_t *header, size_t header_len, char *err, size_t err_len);

void faissshim_free(faissshim_index *index);

/// Vectors in the index.
int64_t faissshim_count(const faissshim_index *index);
/// Inverted lists (0 if the index is not IVF).
int64_t faissshim_lists(const faissshim_index *index);

/// Every indexed vector within `radius` (Euclidean, not squared) of `query`, probing the `probes`
/// nearest lists: positions and squared distances written up to `capacity`; returns how many
/// there were (may exceed `capacity`), or -1 with `err` set. Safe from several threads at once.
int64_t faissshim_range(const faissshim_index *index, const float *query, float radius, int probes,
                        int64_t *positions, float *squared_distances, int64_t capacity, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
