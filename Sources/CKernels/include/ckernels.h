#ifndef STCLIP_CKERNELS_H
#define STCLIP_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Kernels whose inner loops must vectorise (elementwise float maps, softmax, Pillow's 8-bit
/// resampling passes): written in C so the compiler's loop vectoriser sees plain arrays, with
/// clones for AVX2 and AVX-512 picked at load time. Also the runtime's one malloc setting
/// (`stclip_keep_heap`), which needs glibc's <malloc.h>.

/// y[i] = e^x[i] for n elements (Cephes expf: ≈ 1 ulp on [-87.3, 88.3], clamped outside).
void stclip_exp(const float *x, float *y, size_t n);

/// x[i] ← x[i] · σ(1.702 x[i]) in place.
void stclip_quick_gelu(float *x, size_t n);

/// x[i] ← v · σ(1.702 v) with v = x[i] + b[i], in place: a bias and quick_gelu in one pass.
void stclip_bias_quick_gelu(float *x, const float *b, size_t n);

/// Softmax of each of `rows` rows of `cols` floats, in place; an all −∞ row becomes zeros.
void stclip_softmax_rows(float *x, size_t rows, size_t cols);

/// Pillow's 8-bit horizontal resampling pass (`ImagingResampleHorizontal_8bpc`) over packed RGB:
/// for each of `rows` rows and each output column o in `first ..< first + count`, each channel is
/// clamp((2^(bits−1) + Σ_t src[3·(starts[o] + t) + c] · weights[o·taps + t]) >> bits, 0, 255),
/// t < counts[o], written to dst[3·(o − first) + c]. Rows are `src_stride` / `dst_stride` bytes
/// apart. Reads one byte past each pixel it reads (4 bytes at a time): the byte after a row's last
/// pixel, in the last row too, must be readable.
void stclip_resample_rgb8_horizontal(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                                     ptrdiff_t rows, ptrdiff_t first, ptrdiff_t count, const ptrdiff_t *starts,
                                     const ptrdiff_t *counts, const int32_t *weights, ptrdiff_t taps, int bits);

/// Pillow's 8-bit vertical pass for one output row: out[i] = clamp((2^(bits−1) + Σ_t rows[t][i] ·
/// weights[t]) >> bits, 0, 255) for i < n, t < taps.
void stclip_resample_u8_vertical(const uint8_t *const *rows, const int32_t *weights, ptrdiff_t taps,
                                 uint8_t *out, ptrdiff_t n, int bits);

/// glibc's malloc: blocks under `mmap_threshold` bytes from the heap, and up to `trim_threshold`
/// bytes of free heap kept rather than returned to the kernel. 1 if both were accepted, 0 if not
/// (or where the C library is not glibc).
int stclip_keep_heap(size_t mmap_threshold, size_t trim_threshold);

#endif
