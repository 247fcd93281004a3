package dev.lossc.benchmarks;

/** The parallel classes of a benchmark: their thread count set, and their workers stopped, together. */
final class ParallelModels {
    private ParallelModels() {}

    /** Calls {@code setThreads(threads)} on each parallel class. */
    static void setThreads(AutoCloseable[] models, int threads) {
        for (AutoCloseable model : models) {
            try {
                model.getClass().getMethod("setThreads", int.class).invoke(model, threads);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stops each one's workers. */
    static void close(AutoCloseable[] models) throws Exception {
        for (AutoCloseable model : models) {
            model.close();
        }
    }
}
