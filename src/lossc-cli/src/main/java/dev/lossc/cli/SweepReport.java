package dev.lossc.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code train} shows of its runs: a sweep's ranked table, and the curves its plot draws. */
final class SweepReport {
    private SweepReport() {}

    /** The most runs a sweep's plot draws: the best ones, so that the legend stays readable and off the data. */
    static final int PLOTTED_RUNS = 8;

    /** The runs, best first: by the kept epoch's validation loss (training loss without validation data); a diverged run last. */
    static List<TrainCommand.Run> ranked(List<TrainCommand.Run> runs, boolean validated, TrainValues.Keep keep) {
        List<TrainCommand.Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(r -> r.score(validated, keep)));
        return sorted;
    }

    /** Prints the sweep's table and returns the ranking. */
    static List<TrainCommand.Run> table(List<TrainCommand.Run> runs, List<String> keys, boolean validated, TrainValues.Keep keep,
                                        PrintWriter o) {
        List<TrainCommand.Run> sorted = ranked(runs, validated, keep);
        o.println();
        o.println("sweep, ranked by " + (validated ? "validation" : "training") + " loss "
                + (keep == TrainValues.Keep.BEST ? "at each run's best epoch" : "after the last epoch") + ":");
        int width = Math.max(13, sorted.stream().mapToInt(r -> r.config().describe(keys).length()).max().orElse(0));
        boolean accuracy = sorted.stream().anyMatch(r -> r.last() != null && !Double.isNaN(r.last().accuracy()));
        o.printf(Locale.ROOT, "%-4s %-" + width + "s %14s %16s%s%n", "rank", "configuration", "train loss", "validation loss",
                accuracy ? "   accuracy" : "");
        for (int i = 0; i < sorted.size(); i++) {
            TrainCommand.Run run = sorted.get(i);
            Trainer.Epoch e = run.last();
            if (run.diverged() != null) {
                o.printf(Locale.ROOT, "%-4d %-" + width + "s %31s%n", i + 1, run.config().describe(keys),
                        "diverged at epoch " + run.diverged().epoch);
                continue;
            }
            if (keep == TrainValues.Keep.BEST && run.bestEpoch() > 0) {
                e = run.epochs().get(run.bestEpoch() - 1 - (run.epochs().get(0).number()));
            }
            o.printf(Locale.ROOT, "%-4d %-" + width + "s %14s %16s%s%n", i + 1, run.config().describe(keys), TrainCommand.fmt(e.trainLoss()),
                    Double.isNaN(e.validationLoss()) ? "-" : TrainCommand.fmt(e.validationLoss()),
                    Double.isNaN(e.accuracy()) ? "" : String.format(Locale.ROOT, "   %.4f", e.accuracy()));
        }
        return sorted;
    }

    /**
     * What the plot draws: for one run, its training loss and (if measured) validation loss; for a
     * sweep, one curve per combination (its validation loss, or training loss without validation
     * data), the best {@link #PLOTTED_RUNS} of them, best first, with the count of the others in the
     * last name.
     */
    static Map<String, double[]> curves(List<TrainCommand.Run> runs, List<String> keys, boolean validated, TrainValues.Keep keep) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (runs.size() == 1) {
            out.put("training loss", runs.get(0).epochs().stream().mapToDouble(Trainer.Epoch::trainLoss).toArray());
            if (validated) {
                out.put("validation loss", runs.get(0).epochs().stream().mapToDouble(Trainer.Epoch::validationLoss).toArray());
            }
            return out;
        }
        List<TrainCommand.Run> sorted = ranked(runs, validated, keep);
        for (int i = 0; i < sorted.size() && i < PLOTTED_RUNS; i++) {
            TrainCommand.Run r = sorted.get(i);
            out.put((i + 1) + ". " + r.config().describe(keys), r.epochs().stream()
                    .mapToDouble(e -> validated ? e.validationLoss() : e.trainLoss()).toArray());
        }
        return out;
    }

    /** How many runs a sweep's plot leaves out. */
    static int leftOut(int runs) {
        return Math.max(0, runs - PLOTTED_RUNS);
    }
}
