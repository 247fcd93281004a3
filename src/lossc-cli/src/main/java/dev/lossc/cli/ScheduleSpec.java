package dev.lossc.cli;

import dev.lossc.runtime.Schedule;
import picocli.CommandLine;

/**
 * A {@code --schedule} as given: {@code constant}, {@code step:N:GAMMA}, {@code cosine[:MIN]} or
 * {@code plateau[:FACTOR[:PATIENCE]]}, checked when the command line is parsed (N a whole number of
 * 1 or more, GAMMA a finite number above 0, MIN a finite number of 0 or more, FACTOR between 0 and
 * 1, PATIENCE a whole number of 0 or more); that MIN is at most the rate is checked once the rate is
 * known. A plateau schedule is not a function of the epoch: {@link TrainCommand} steps it with each
 * epoch's loss.
 */
record ScheduleSpec(String text, String kind, int stepSize, double value) {
    boolean plateau() {
        return kind.equals("plateau");
    }

    /** ReduceLROnPlateau with this schedule's factor and patience, torch's defaults for the rest. */
    dev.lossc.runtime.Plateau newPlateau() {
        return dev.lossc.runtime.Plateau.of(value, stepSize);
    }

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
            case "plateau" -> Schedule.constant();
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
        private static final String FORMS = "expected constant, step:N:GAMMA, cosine[:MIN] or plateau[:FACTOR[:PATIENCE]]";

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
                case "plateau" -> {
                    if (parts.length <= 3) {
                        double factor = 0.1;
                        if (parts.length > 1) {
                            factor = OptionValues.number(parts[1], "plateau:FACTOR with FACTOR between 0 and 1 (both excluded)");
                            if (!(factor > 0 && factor < 1)) {
                                throw new CommandLine.TypeConversionException("'" + text + "' is out of range: FACTOR must be between 0 and 1 (both excluded)");
                            }
                        }
                        int patience = parts.length > 2 ? OptionValues.count(parts[2], 0, "plateau:FACTOR:PATIENCE with PATIENCE a whole number of 0 or more") : 10;
                        return new ScheduleSpec(text, "plateau", patience, factor);
                    }
                }
                default -> {
                }
            }
            throw new CommandLine.TypeConversionException("'" + dev.lossc.Numbers.quote(text, 60) + "' is not a schedule; " + FORMS);
        }
    }
}
