#ifndef STCLIP_CKERNELS_H
#define STCLIP_CKERNELS_H
#include <stddef.h>

/// Elementwise kernels whose inner loops must vectorise: written in C so the compiler's loop
/// vectoriser sees plain float arrays, with clones for AVX2 and AVX-512 picked at load time.

/// y[i] = e^x[i] for n elements (Cephes expf: ≈ 1 ulp on [-87.3, 88.3], clamped outside).
void stclip_exp(const float *x, float *y, size_t n);

/// x[i] ← x[i] · σ(1.702 x[i]) in place.
void stclip_quick_gelu(float *x, size_t n);

/// x[i] ← v · σ(1.702 v) with v = x[i] + b[i], in place: a bias and quick_gelu in one pass.
void stclip_bias_quick_gelu(float *x, const float *b, size_t n);

/// Softmax of each of `rows` rows of `cols` floats, in place; an all −∞ row becomes zeros.
void stclip_softmax_rows(float *x, size_t rows, size_t cols);

/// glibc's malloc: blocks under `mmap_threshold` bytes from the heap, and up to `trim_threshold`
/// bytes of free heap kept rather than returned to the kernel. 1 if both were accepted, 0 if not
/// (or where the C library is not glibc).
int stclip_keep_heap(size_t mmap_threshold, size_t trim_threshold);

#endif
