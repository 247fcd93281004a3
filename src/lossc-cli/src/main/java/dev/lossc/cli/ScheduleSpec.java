package dev.lossc.cli;

import dev.lossc.runtime.Schedule;
import picocli.CommandLine;

/**
 * A {@code --schedule} as given: {@code constant}, {@code step:N:GAMMA} or {@code cosine[:MIN]},
 * checked when the command line is parsed (N a whole number of 1 or more, GAMMA a finite number
 * above 0, MIN a finite number of 0 or more); that MIN is at most the rate is checked once the
 * rate is known.
 */
record ScheduleSpec(String text, String kind, int stepSize, double value) {
    @Override
    public String toString() {
        return text;
    }

    /** The runtime's schedule over {@code epochs} epochs. */
    Schedule schedule(int epochs) {
        return switch (kind) {
            case "constant" -> Schedule.constant();
            case "step" -> Schedule.step(stepSize, value);
            case "cosine" -> Schedule.cosine(epochs, value);
            default -> throw new IllegalStateException("schedule " + kind);
        };
    }

    /** What is wrong with this schedule for a base rate of {@code lr} over {@code epochs} epochs, or null. */
    String problem(double lr, int epochs) {
        if (kind.equals("cosine") && value > lr) {
            return "MIN must be between 0 and the learning rate (" + TrainCommand.fmt(lr) + "), but it is " + TrainCommand.fmt(value);
        }
        if (kind.equals("step")) {
            // The rate at the last step is the largest or the smallest: it must stay a finite number.
            double last = schedule(epochs).at(lr, epochs - 1);
            if (!Double.isFinite(last)) {
                return "the learning rate would reach " + TrainCommand.fmt(last) + " by epoch " + epochs;
            }
        }
        return null;
    }

    static final class Converter implements CommandLine.ITypeConverter<ScheduleSpec> {
        private static final String FORMS = "expected constant, step:N:GAMMA or cosine[:MIN]";

        @Override
        public ScheduleSpec convert(String text) {
            String[] parts = text.split(":", -1);
            switch (parts[0]) {
                case "constant" -> {
                    if (parts.length == 1) {
                        return new ScheduleSpec(text, "constant", 0, 0);
                    }
                }
                case "step" -> {
                    if (parts.length == 3) {
                        int n = OptionValues.count(parts[1], 1, "step:N:GAMMA with N a whole number of 1 or more");
                        double gamma = OptionValues.number(parts[2], "step:N:GAMMA with GAMMA a finite number above 0");
                        if (!(gamma > 0)) {
                            throw new CommandLine.TypeConversionException("'" + text + "' is out of range: GAMMA must be a finite number above 0");
                        }
                        return new ScheduleSpec(text, "step", n, gamma);
                    }
                }
                case "cosine" -> {
                    if (parts.length <= 2) {
                        double min = parts.length == 1 ? 0 : OptionValues.atLeast(parts[1], 0, "cosine:MIN with MIN a finite number of 0 or more");
                        return new ScheduleSpec(text, "cosine", 0, min);
                    }
                }
                default -> {
                }
            }
            throw new CommandLine.TypeConversionException("'" + dev.lossc.Numbers.quote(text, 60) + "' is not a schedule; " + FORMS);
        }
    }
}
