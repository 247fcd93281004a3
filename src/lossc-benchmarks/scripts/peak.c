/*
 * One core's FP64 fused multiply-add peak without the JVM: eight independent accumulators, each
 * with its own pair of operands (so the compiler cannot merge chains), updated from registers.
 * Eight chains keep two FMA units of latency four busy, and with their six operands they take
 * fourteen vector registers, so they fit AVX2's sixteen (twelve spilled there and reported less
 * than half the peak). The same kernel as Peak.fmaDouble in the benchmarks. Build and run, pinned
 * to one core, with AVX-512 or, on a CPU without it, AVX2:
 *     gcc -O2 -mavx512f -mfma src/lossc-benchmarks/scripts/peak.c -o /tmp/peak && taskset -c 1 /tmp/peak
 *     gcc -O2 -mavx2 -mfma src/lossc-benchmarks/scripts/peak.c -o /tmp/peak && taskset -c 1 /tmp/peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512d vec;
#define LANES 8
#define SET1 _mm512_set1_pd
#define ZERO _mm512_setzero_pd
#define FMA _mm512_fmadd_pd
#define ADD _mm512_add_pd
#define STORE _mm512_storeu_pd
#define NAME "zmm"
#else
typedef __m256d vec;
#define LANES 4
#define SET1 _mm256_set1_pd
#define ZERO _mm256_setzero_pd
#define FMA _mm256_fmadd_pd
#define ADD _mm256_add_pd
#define STORE _mm256_storeu_pd
#define NAME "ymm"
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    (void) argv;
    vec b0 = SET1(1e-9 * argc), b1 = SET1(2e-9), b2 = SET1(3e-9), b3 = SET1(4e-9);
    vec v0 = SET1(0.5), v1 = SET1(0.25);
    vec c00 = ZERO(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    for (int rep = 0; rep < 5; rep++) {
        long n = 200000000;
        double t0 = now();
        for (long s = 0; s < n; s++) {
            c00 = FMA(v0, b0, c00); c01 = FMA(v0, b1, c01); c02 = FMA(v0, b2, c02); c03 = FMA(v0, b3, c03);
            c10 = FMA(v1, b0, c10); c11 = FMA(v1, b1, c11); c12 = FMA(v1, b2, c12); c13 = FMA(v1, b3, c13);
        }
        double t = now() - t0;
        printf("FP64 FMA, 8 %s accumulators: %.1f GFLOP/s\n", NAME, 8.0 * 2 * LANES * n / t / 1e9);
    }
    vec s = ADD(ADD(ADD(c00, c01), ADD(c02, c03)), ADD(ADD(c10, c11), ADD(c12, c13)));
    double o[LANES];
    STORE(o, s);
    printf("(checksum %g)\n", o[0]);
    return 0;
}
