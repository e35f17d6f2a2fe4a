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

int stclip_keep_heap(size_t mmap_threshold, size_t trim_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#else
    (void)mmap_threshold;
    (void)trim_threshold;
    return 0;
#endif
}
