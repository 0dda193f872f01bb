#include "faiss_shim.h"

#include <faiss/IndexIVF.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/invlists/OnDiskInvertedLists.h>

#include <sys/mman.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

struct faissshim_index {
    std::unique_ptr<faiss::Index> index;
};

static void set_error(char *err, size_t len, const char *what) {
    if (err && len) { std::snprintf(err, len, "%s", what); }
}

extern "C" faissshim_index *faissshim_build(const float *vectors, int64_t count, int dimensions, const char *description,
                                            int64_t train_stride, char *err, size_t err_len) {
    try {
        std::unique_ptr<faiss::Index> index(faiss::index_factory(dimensions, description, faiss::METRIC_L2));
        if (!index->is_trained) {
            int64_t stride = train_stride > 0 ? train_stride : 1;
            std::vector<float> sample;
            sample.reserve((count / stride + 1) * dimensions);
            for (int64_t i = 0; i < count; i += stride) {
                sample.insert(sample.end(), vectors + i * dimensions, vectors + (i + 1) * dimensions);
            }
            index->train((faiss::Index::idx_t)(sample.size() / dimensions), sample.data());
        }
        index->add(count, vectors);
        return new faissshim_index{std::move(index)};
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return nullptr;
    }
}

extern "C" int faissshim_write(const faissshim_index *index, const char *path, const uint8_t *header, size_t header_len,
                               char *err, size_t err_len) {
    FILE *f = std::fopen(path, "wb");
    if (!f) { set_error(err, err_len, "cannot create the file"); return -1; }
    try {
        if (std::fwrite(header, 1, header_len, f) != header_len) { throw std::runtime_error("short write"); }
        faiss::FileIOWriter writer(f);
        faiss::write_index(index->index.get(), &writer);
    } catch (const std::exception &e) {
        std::fclose(f);
        set_error(err, err_len, e.what());
        return -1;
    }
    if (std::fclose(f) != 0) { set_error(err, err_len, "write failed"); return -1; }
    return 0;
}

extern "C" faissshim_index *faissshim_open(const char *path, uint8_t *header, size_t header_len, char *err, size_t err_len) {
    FILE *f = std::fopen(path, "rb");
    if (!f) { set_error(err, err_len, "cannot open the file"); return nullptr; }
    try {
        if (std::fread(header, 1, header_len, f) != header_len) { throw std::runtime_error("file shorter than its header"); }
        // FAISS maps the lists from the open file at their absolute offsets, after our header.
        faiss::FileIOReader reader(f);
        std::unique_ptr<faiss::Index> index(faiss::read_index(&reader, faiss::IO_FLAG_MMAP));
        std::fclose(f);
        // A search reads a few lists: without this hint each page fault reads around it as far as
        // the device's read-ahead (8 MB on some virtual disks), i.e. the whole file when cold.
        if (auto ivf = dynamic_cast<faiss::IndexIVF *>(index.get())) {
            if (auto lists = dynamic_cast<faiss::OnDiskInvertedLists *>(ivf->invlists)) {
                if (lists->ptr && lists->totsize) { madvise(lists->ptr, lists->totsize, MADV_RANDOM); }
            }
        }
        return new faissshim_index{std::move(index)};
    } catch (const std::exception &e) {
        std::fclose(f);
        set_error(err, err_len, e.what());
        return nullptr;
    }
}

extern "C" void faissshim_free(faissshim_index *index) { delete index; }

extern "C" int64_t faissshim_count(const faissshim_index *index) { return index->index->ntotal; }

extern "C" int64_t faissshim_lists(const faissshim_index *index) {
    auto ivf = dynamic_cast<const faiss::IndexIVF *>(index->index.get());
    return ivf ? (int64_t)ivf->nlist : 0;
}

extern "C" int64_t faissshim_range(const faissshim_index *index, const float *query, float radius, int probes,
                                   int64_t *positions, float *squared_distances, int64_t capacity, char *err, size_t err_len) {
    try {
        faiss::RangeSearchResult result(1);
        auto ivf = dynamic_cast<const faiss::IndexIVF *>(index->index.get());
        if (ivf) {
            // Per-call parameters: concurrent searches never write the shared index.
            faiss::SearchParametersIVF params;
            params.nprobe = probes > 0 ? (size_t)probes : 1;
            ivf->range_search(1, query, radius * radius, &result, &params);
        } else {
            index->index->range_search(1, query, radius * radius, &result);
        }
        int64_t n = (int64_t)(result.lims[1] - result.lims[0]);
        for (int64_t i = 0; i < n && i < capacity; i++) {
            positions[i] = result.labels[i];
            squared_distances[i] = result.distances[i];
        }
        return n;
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return -1;
    }
}
