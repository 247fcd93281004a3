/*
 * One core's FP64 fused multiply-add peak without the JVM: twelve independent AVX-512 accumulators,
 * each with its own pair of operands (so the compiler cannot merge chains), updated from registers.
 * The same kernel as Peak.fmaDouble in the benchmarks. Build and run, pinned to one core:
 *     gcc -O2 -mavx512f -mfma src/lossc-benchmarks/scripts/peak.c -o /tmp/peak && taskset -c 1 /tmp/peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    (void) argv;
    __m512d b0 = _mm512_set1_pd(1e-9 * argc), b1 = _mm512_set1_pd(2e-9), b2 = _mm512_set1_pd(3e-9);
    __m512d v0 = _mm512_set1_pd(0.5), v1 = _mm512_set1_pd(0.25), v2 = _mm512_set1_pd(0.125), v3 = _mm512_set1_pd(0.0625);
    __m512d c00 = _mm512_setzero_pd(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512d c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    for (int rep = 0; rep < 5; rep++) {
        long n = 200000000;
        double t0 = now();
        for (long s = 0; s < n; s++) {
            c00 = _mm512_fmadd_pd(v0, b0, c00); c01 = _mm512_fmadd_pd(v0, b1, c01); c02 = _mm512_fmadd_pd(v0, b2, c02);
            c10 = _mm512_fmadd_pd(v1, b0, c10); c11 = _mm512_fmadd_pd(v1, b1, c11); c12 = _mm512_fmadd_pd(v1, b2, c12);
            c20 = _mm512_fmadd_pd(v2, b0, c20); c21 = _mm512_fmadd_pd(v2, b1, c21); c22 = _mm512_fmadd_pd(v2, b2, c22);
            c30 = _mm512_fmadd_pd(v3, b0, c30); c31 = _mm512_fmadd_pd(v3, b1, c31); c32 = _mm512_fmadd_pd(v3, b2, c32);
        }
        double t = now() - t0;
        printf("FP64 FMA, 12 zmm accumulators: %.1f GFLOP/s\n", 12.0 * 16 * n / t / 1e9);
    }
    __m512d s = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(c00, c01), _mm512_add_pd(c02, c10)),
            _mm512_add_pd(_mm512_add_pd(c11, c12), _mm512_add_pd(c20, c21)));
    s = _mm512_add_pd(s, _mm512_add_pd(_mm512_add_pd(c22, c30), _mm512_add_pd(c31, c32)));
    double o[8];
    _mm512_storeu_pd(o, s);
    printf("(checksum %g)\n", o[0]);
    return 0;
}
