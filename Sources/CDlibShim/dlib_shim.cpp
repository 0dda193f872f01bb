// dlib behind a C header. Network definitions are dlib's published ones for these model files
// (examples/dnn_face_recognition_ex.cpp and dnn_mmod_face_detection_ex.cpp): they must match
// the serialized weights exactly.
#include "dlib_shim.h"

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

using namespace dlib;

namespace {
// --- ResNet face descriptor (dlib_face_recognition_resnet_model_v1.dat) ---
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128, avg_pool_everything<
    alevel0<alevel1<alevel2<alevel3<alevel4<max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2,
    input_rgb_image_sized<150>>>>>>>>>>>>>;

// --- MMOD CNN face detector (mmod_human_face_detector.dat) ---
template <long num_filters, typename SUBNET> using con5d = con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET> using con5 = con<num_filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET> using downsampler =
    relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using mmod_net_type = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<
    input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

void set_error(char *err, size_t len, const std::string &msg) {
    if (err && len) { std::strncpy(err, msg.c_str(), len - 1); err[len - 1] = 0; }
}

matrix<rgb_pixel> to_matrix(const uint8_t *rgb, int width, int height) {
    matrix<rgb_pixel> img(height, width);
    std::memcpy(&img(0, 0), rgb, size_t(width) * height * 3);  // rgb_pixel is 3 packed bytes
    return img;
}

}  // namespace

struct dlibshim_context {
    frontal_face_detector hog = get_frontal_face_detector();
    std::shared_ptr<const shape_predictor> shapes;  // read-only after load: shared by clones
    anet_type embedder;
    std::unique_ptr<mmod_net_type> mmod;
};

namespace {
// 5 landmarks, and optionally the aligned chip, for each box (source pixels).
int fit_faces(dlibshim_context &ctx, const matrix<rgb_pixel> &original,
              const std::vector<std::pair<rectangle, double>> &found, dlibshim_face *faces, uint8_t *chips,
              int max_faces) {
    int n = 0;
    for (auto &f : found) {
        if (n >= max_faces) break;
        const rectangle r = f.first;
        full_object_detection shape = (*ctx.shapes)(original, r);
        if (chips) {
            matrix<rgb_pixel> chip;
            extract_image_chip(original, get_face_chip_details(shape, 150, 0.25), chip);
            std::memcpy(chips + size_t(n) * 150 * 150 * 3, &chip(0, 0), 150 * 150 * 3);
        }
        dlibshim_face &out = faces[n++];
        out.left = int(r.left());
        out.top = int(r.top());
        out.width = int(r.width());
        out.height = int(r.height());
        out.score = f.second;
        for (unsigned long i = 0; i < 5 && i < shape.num_parts(); i++) {
            out.landmarks[2 * i] = float(shape.part(i).x());
            out.landmarks[2 * i + 1] = float(shape.part(i).y());
        }
    }
    return n;
}
}  // namespace

static_assert(sizeof(rgb_pixel) == 3, "rgb_pixel must be packed");

extern "C" dlibshim_context *dlibshim_create(const char *shape_model, const char *embedding_model,
                                             const char *mmod_model, char *err, size_t err_len) {
    try {
        auto ctx = std::make_unique<dlibshim_context>();
        auto sp = std::make_shared<shape_predictor>();
        deserialize(shape_model) >> *sp;
        ctx->shapes = sp;
        deserialize(embedding_model) >> ctx->embedder;
        if (mmod_model) {
            ctx->mmod = std::make_unique<mmod_net_type>();
            deserialize(mmod_model) >> *ctx->mmod;
        }
        return ctx.release();
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return nullptr;
    }
}

extern "C" dlibshim_context *dlibshim_clone(const dlibshim_context *ctx) {
    try {
        auto copy = std::make_unique<dlibshim_context>();
        copy->hog = ctx->hog;
        copy->shapes = ctx->shapes;
        copy->embedder = ctx->embedder;
        if (ctx->mmod) copy->mmod = std::make_unique<mmod_net_type>(*ctx->mmod);
        return copy.release();
    } catch (...) {
        return nullptr;
    }
}

extern "C" void dlibshim_destroy(dlibshim_context *ctx) { delete ctx; }

// Weak: resolved when libblas.so.3 is OpenBLAS (Debian's alternatives), null with reference BLAS.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" void dlibshim_set_blas_threads(int threads) {
    if (openblas_set_num_threads) openblas_set_num_threads(threads);
}

extern "C" char *openblas_get_corename(void) __attribute__((weak));
extern "C" const char *dlibshim_blas_core(void) { return openblas_get_corename ? openblas_get_corename() : nullptr; }

extern "C" int dlibshim_detect(dlibshim_context *ctx, const uint8_t *rgb, int width, int height,
                               int upsample, double min_score, int use_mmod,
                               dlibshim_face *faces, uint8_t *chips, int max_faces, char *err, size_t err_len) {
    try {
        const matrix<rgb_pixel> original = to_matrix(rgb, width, height);
        matrix<rgb_pixel> upsampled;
        double scale = 1.0;
        if (upsample > 0) {
            upsampled = original;
            for (int i = 0; i < upsample; i++) { pyramid_up(upsampled); scale *= 2.0; }
        }
        const matrix<rgb_pixel> &img = upsample > 0 ? upsampled : original;
        std::vector<std::pair<rectangle, double>> found;
        if (use_mmod) {
            if (!ctx->mmod) { set_error(err, err_len, "MMOD model not loaded"); return -1; }
            for (auto &d : (*ctx->mmod)(img))
                if (d.detection_confidence >= min_score) found.emplace_back(d.rect, d.detection_confidence);
        } else {
            // HOG on gray: on RGB dlib takes the strongest gradient of three channels, ~2-3x the work
            // for near-identical detections.
            matrix<unsigned char> gray;
            assign_image(gray, img);
            std::vector<rect_detection> dets;
            ctx->hog(gray, dets, min_score);
            for (auto &d : dets) found.emplace_back(d.rect, d.detection_confidence);
        }
        for (auto &f : found)  // landmarks are fitted on the original pixels, so chips come from full resolution
            f.first = rectangle(long(f.first.left() / scale), long(f.first.top() / scale),
                                long(f.first.right() / scale), long(f.first.bottom() / scale));
        return fit_faces(*ctx, original, found, faces, chips, max_faces);
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return -1;
    }
}

extern "C" int dlibshim_describe(dlibshim_context *ctx, const uint8_t *chips, int count,
                                 float *out, char *err, size_t err_len) {
    try {
        std::vector<matrix<rgb_pixel>> batch;
        batch.reserve(count);
        for (int i = 0; i < count; i++) batch.push_back(to_matrix(chips + size_t(i) * 150 * 150 * 3, 150, 150));
        std::vector<matrix<float, 0, 1>> descriptors = ctx->embedder(batch, 16);
        for (int i = 0; i < count; i++)
            for (int k = 0; k < 128; k++) out[size_t(i) * 128 + k] = descriptors[i](k);
        return 0;
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return -1;
    }
}

extern "C" int dlibshim_fit(dlibshim_context *ctx, const uint8_t *rgb, int width, int height,
                            const dlibshim_face *boxes, int count, dlibshim_face *faces, uint8_t *chips,
                            char *err, size_t err_len) {
    try {
        const matrix<rgb_pixel> original = to_matrix(rgb, width, height);
        std::vector<std::pair<rectangle, double>> found;
        for (int i = 0; i < count; i++) {
            const dlibshim_face &b = boxes[i];
            found.emplace_back(rectangle(b.left, b.top, b.left + b.width - 1, b.top + b.height - 1), b.score);
        }
        return fit_faces(*ctx, original, found, faces, chips, count);
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return -1;
    }
}

// --- Watchlist matching: all pairs within a distance, as matrix products ---
extern "C" int64_t dlibshim_pairs_within(const float *queries, int32_t query_count, const float *gallery,
                                         int32_t gallery_count, float max_distance, dlibshim_pair **pairs) {
    constexpr int dim = 128, query_tile = 1024, gallery_tile = 8192;
    *pairs = nullptr;
    try {
        auto squared_norms = [](const float *rows, int32_t count) {
            std::vector<float> out(count);
            for (int32_t i = 0; i < count; i++) {
                float s = 0;
                for (int j = 0; j < dim; j++) s += rows[size_t(i) * dim + j] * rows[size_t(i) * dim + j];
                out[i] = s;
            }
            return out;
        };
        const std::vector<float> qn = squared_norms(queries, query_count), gn = squared_norms(gallery, gallery_count);
        const float limit = max_distance * max_distance;
        // The product's rounding is far below this slack; candidates are confirmed exactly.
        const float slack = 1e-3f * (1 + limit);
        std::vector<float> dots(size_t(query_tile) * gallery_tile);
        std::vector<dlibshim_pair> found;
        for (int32_t q0 = 0; q0 < query_count; q0 += query_tile) {
            const int qc = std::min(query_tile, query_count - q0);
            for (int32_t g0 = 0; g0 < gallery_count; g0 += gallery_tile) {
                const int gc = std::min(gallery_tile, gallery_count - g0);
                // dots = Q · Gᵀ, through the CBLAS prototype dlib declares (linked to OpenBLAS).
                using namespace blas_bindings;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, qc, gc, dim, 1.0f, queries + size_t(q0) * dim, dim,
                            gallery + size_t(g0) * dim, dim, 0.0f, dots.data(), gc);
                for (int i = 0; i < qc; i++) {
                    const float *row = dots.data() + size_t(i) * gc;
                    const float bound = limit + slack - qn[q0 + i];
                    for (int j = 0; j < gc; j++) {
                        if (gn[g0 + j] - 2 * row[j] >= bound) continue;
                        const float *a = queries + size_t(q0 + i) * dim, *b = gallery + size_t(g0 + j) * dim;
                        float s = 0;
                        for (int k = 0; k < dim; k++) { const float d = a[k] - b[k]; s += d * d; }
                        if (s < limit) found.push_back({q0 + i, g0 + j, std::sqrt(s)});
                    }
                }
            }
        }
        if (found.empty()) return 0;
        *pairs = static_cast<dlibshim_pair *>(std::malloc(found.size() * sizeof(dlibshim_pair)));
        if (!*pairs) return -1;
        std::memcpy(*pairs, found.data(), found.size() * sizeof(dlibshim_pair));
        return int64_t(found.size());
    } catch (const std::bad_alloc &) {
        return -1;
    }
}
