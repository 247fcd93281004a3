package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code KMeans} computes what gradbench's {@code kmeans} eval asks for: its cost and its
 * {@code dir} agree with gradbench's reference tool ({@code manual}), written again here line for
 * line: each point's nearest centroid by direct distances, and {@code dir = -(mean of the cluster
 * - centroid)}.
 */
class KMeansTest {
    private static double distance2(double[] points, int i, double[] centroids, int j, int d) {
        double s = 0;
        for (int l = 0; l < d; l++) {
            double t = points[i * d + l] - centroids[j * d + l];
            s += t * t;
        }
        return s;
    }

    private static int nearest(double[] points, int i, double[] centroids, int k, int d) {
        int best = -1;
        double closest = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double dist = distance2(points, i, centroids, j, d);
            if (dist < closest) {
                closest = dist;
                best = j;
            }
        }
        return best;
    }

    @Test
    void costAndDirMatchGradbenchsManualTool() {
        for (String size : new String[] {"10,1000,8", "100,1000,16", "1000,10000,8"}) {
            KMeans b = new KMeans();
            b.size = size;
            b.setup();
            int k = b.k;
            int n = b.n;
            int d = b.d;
            double[] centroids = new double[k * d];
            System.arraycopy(b.points, (n - k) * d, centroids, 0, k * d);

            double cost = 0;
            int[] sizes = new int[k];
            double[] sums = new double[k * d];
            for (int i = 0; i < n; i++) {
                int j = nearest(b.points, i, centroids, k, d);
                cost += distance2(b.points, i, centroids, j, d);
                sizes[j]++;
                for (int l = 0; l < d; l++) {
                    sums[j * d + l] += b.points[i * d + l];
                }
            }
            assertEquals(cost, b.cost(), 1e-12 * cost, size);

            double[] dir = b.dir();
            for (int j = 0; j < k; j++) {
                for (int l = 0; l < d; l++) {
                    double expected = -(sums[j * d + l] / sizes[j] - centroids[j * d + l]);
                    assertEquals(expected, dir[j * d + l], 1e-12, size + ": centroid " + j + ", " + l);
                }
            }
        }
    }
}
