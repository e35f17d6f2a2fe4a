# Sourced by the run and benchmark scripts: picks OpenBLAS's kernel where its own detection is
# slower. OpenBLAS 0.3.21 (Debian 12) takes AMD Zen 4 (family 25 with AVX-512) for Cooperlake and
# runs its AVX-512 kernels, which Zen 4 executes in two 256-bit halves; the Haswell (AVX2) kernels
# are faster there (ViT-B/32 GEMMs, 2 threads: 331 ms vs 351 ms). A value already set wins.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q -m1 'AuthenticAMD' /proc/cpuinfo 2>/dev/null \
    && grep -q -m1 -E '^cpu family\s*:\s*25$' /proc/cpuinfo && grep -q -m1 -w avx512f /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=Haswell
fi
