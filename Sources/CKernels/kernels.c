#include "ckernels.h"
#include <math.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__) && defined(__clang__)
/* One build, the widest vectors the CPU has: the loader picks the clone. */
#define STCLIP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STCLIP_CLONES
#endif

/* Cephes expf: x = n·ln2 + r with ln2 split in two parts so n·ln2 is exact, a degree-6
 * polynomial for e^r on |r| ≤ ln2/2, and 2^n assembled in the exponent bits. Branch-free so
 * that the loops around it vectorise. */
static inline float exp_cephes(float x) {
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.3f ? 88.3f : x;
    /* Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits. */
    const float magic = 12582912.0f;
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * (r * r) + r + 1.0f;
    int ti, mi;
    memcpy(&ti, &t, 4);
    memcpy(&mi, &magic, 4);
    int bits = (ti - mi + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return y * scale;
}

STCLIP_CLONES
void stclip_exp(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = exp_cephes(x[i]);
}

STCLIP_CLONES
void stclip_quick_gelu(float *restrict x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = v / (1.0f + exp_cephes(-1.702f * v));
    }
}

STCLIP_CLONES
void stclip_bias_quick_gelu(float *restrict x, const float *restrict b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i] + b[i];
        x[i] = v / (1.0f + exp_cephes(-1.702f * v));
    }
}

STCLIP_CLONES
void stclip_softmax_rows(float *restrict x, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        float m = -INFINITY;
        for (size_t i = 0; i < cols; i++) m = row[i] > m ? row[i] : m;
        if (m == -INFINITY) {
            memset(row, 0, cols * sizeof(float));
            continue;
        }
        float s = 0.0f;
        for (size_t i = 0; i < cols; i++) {
            /* e^(−∞ − m) must be exactly 0: the clamp alone would leave e^-87.3. */
            float e = row[i] == -INFINITY ? 0.0f : exp_cephes(row[i] - m);
            row[i] = e;
            s += e;
        }
        float inv = 1.0f / s;
        for (size_t i = 0; i < cols; i++) row[i] *= inv;
    }
}

/* Resampling (Pillow's Resample.c, 8 bits per channel). Integer arithmetic throughout, so any
 * order of the sums gives Pillow's bytes; the vectors only change how many are done at once. */

typedef int32_t stclip_v4i __attribute__((vector_size(16)));
typedef uint8_t stclip_v4b __attribute__((vector_size(4)));
typedef int32_t stclip_v16i __attribute__((vector_size(64)));
typedef uint8_t stclip_v16b __attribute__((vector_size(16)));

static inline uint8_t clip8(int32_t v, int bits) {
    v >>= bits;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

STCLIP_CLONES
void stclip_resample_rgb8_horizontal(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                                     ptrdiff_t rows, ptrdiff_t first, ptrdiff_t count, const ptrdiff_t *starts,
                                     const ptrdiff_t *counts, const int32_t *weights, ptrdiff_t taps, int bits) {
    const int32_t half = 1 << (bits - 1);
    for (ptrdiff_t y = 0; y < rows; y++) {
        const uint8_t *in = src + y * src_stride;
        uint8_t *out = dst + y * dst_stride;
        for (ptrdiff_t o = first; o < first + count; o++) {
            const uint8_t *p = in + 3 * starts[o];
            const int32_t *k = weights + o * taps;
            /* R, G, B in lanes 0-2; lane 3 takes the next byte and is dropped. */
            stclip_v4i acc = {half, half, half, half};
            for (ptrdiff_t t = 0; t < counts[o]; t++) {
                stclip_v4b px;
                memcpy(&px, p + 3 * t, 4);
                acc += __builtin_convertvector(px, stclip_v4i) * k[t];
            }
            uint8_t *q = out + 3 * (o - first);
            q[0] = clip8(acc[0], bits);
            q[1] = clip8(acc[1], bits);
            q[2] = clip8(acc[2], bits);
        }
    }
}

STCLIP_CLONES
void stclip_resample_u8_vertical(const uint8_t *const *rows, const int32_t *weights, ptrdiff_t taps,
                                 uint8_t *out, ptrdiff_t n, int bits) {
    const int32_t half = 1 << (bits - 1);
    ptrdiff_t i = 0;
    /* 16 outputs at a time, their sums kept in registers over the taps. */
    for (; i + 16 <= n; i += 16) {
        stclip_v16i acc = (stclip_v16i){0} + half;
        for (ptrdiff_t t = 0; t < taps; t++) {
            stclip_v16b px;
            memcpy(&px, rows[t] + i, 16);
            acc += __builtin_convertvector(px, stclip_v16i) * weights[t];
        }
        acc >>= bits;
        acc = __builtin_elementwise_min(__builtin_elementwise_max(acc, (stclip_v16i){0}), (stclip_v16i){0} + 255);
        stclip_v16b bytes = __builtin_convertvector(acc, stclip_v16b);
        memcpy(out + i, &bytes, 16);
    }
    for (; i < n; i++) {
        int32_t acc = half;
        for (ptrdiff_t t = 0; t < taps; t++) acc += (int32_t)rows[t][i] * weights[t];
        out[i] = clip8(acc, bits);
    }
}

int stclip_keep_heap(size_t mmap_threshold, size_t trim_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#else
    (void)mmap_threshold;
    (void)trim_threshold;
    return 0;
#endif
}
