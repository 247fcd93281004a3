package dev.lossc.cli;

import dev.lossc.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** The values of {@code train}'s own options, each checked when the command line is parsed. */
final class TrainValues {
    private TrainValues() {}

    /** sgd, adagrad, rmsprop, adam, adamw or lbfgs, in any case. */
    static final class OptimizerName implements CommandLine.ITypeConverter<String> {
        static final List<String> NAMES = List.of("sgd", "adagrad", "rmsprop", "adam", "adamw", "lbfgs");

        @Override
        public String convert(String value) {
            String name = value.toLowerCase(Locale.ROOT);
            if (!NAMES.contains(name)) {
                throw new CommandLine.TypeConversionException("unknown optimizer '" + Numbers.quote(value, 40)
                        + "' (expected sgd, adagrad, rmsprop, adam, adamw or lbfgs)");
            }
            return name;
        }
    }

    /** An optimizer's default learning rate: torch.optim's (0.001 for adam and adamw, 1 for lbfgs, else 0.01). */
    static double defaultRate(String optimizer) {
        return optimizer.equals("lbfgs") ? 1.0 : optimizer.equals("adam") || optimizer.equals("adamw") ? 0.001 : 0.01;
    }

    /** A batch size: a whole number of 1 or more, or all. */
    static final class BatchSize implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.equals("all")) {
                return value;
            }
            return Integer.toString(OptionValues.count(value, 1, "a number of rows from 1 to 2147483647, or all"));
        }
    }

    /** Adam's {@code B1,B2}, each from 0 to 1 (1 excluded), as torch checks them. */
    record Betas(double beta1, double beta2) {
        @Override
        public String toString() {
            return beta1 + "," + beta2;
        }
    }

    static final class BetasConverter implements CommandLine.ITypeConverter<Betas> {
        static final String RANGE = "B1,B2 with each from 0 to 1 (1 excluded)";

        @Override
        public Betas convert(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length != 2) {
                throw new CommandLine.TypeConversionException("'" + Numbers.quote(value, 40) + "' is not two numbers; expected " + RANGE);
            }
            double[] b = {OptionValues.number(parts[0].trim(), RANGE), OptionValues.number(parts[1].trim(), RANGE)};
            for (double x : b) {
                if (!(x >= 0 && x < 1)) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is out of range: expected " + RANGE);
                }
            }
            return new Betas(b[0], b[1]);
        }
    }

    /** {@code --warmup N[:START]}: a linear warm-up over N epochs from START times the rate (torch's LinearLR default, 1/3). */
    record Warmup(int epochs, double start) {
        static final class Converter implements CommandLine.ITypeConverter<Warmup> {
            @Override
            public Warmup convert(String value) {
                String[] parts = value.split(":", -1);
                if (parts.length > 2) {
                    throw new CommandLine.TypeConversionException("'" + Numbers.quote(value, 40) + "' is not N[:START]");
                }
                int n = OptionValues.count(parts[0], 1, "N[:START] with N a whole number of 1 or more");
                double start = 1.0 / 3;
                if (parts.length == 2) {
                    start = OptionValues.number(parts[1], "N:START with START above 0 and at most 1");
                    if (!(start > 0 && start <= 1)) {
                        throw new CommandLine.TypeConversionException("'" + value + "' is out of range: START must be above 0 and at most 1");
                    }
                }
                return new Warmup(n, start);
            }
        }

        /** The rate of warm-up epoch {@code epoch} (0 first), as LinearLR(start, 1.0, epochs). */
        double rate(double lr, int epoch) {
            return lr * (start + (1 - start) * epoch / epochs);
        }
    }

    /** Which epoch's parameters --out keeps. */
    enum Keep {
        LAST, BEST
    }

    /** One {@code --sweep KEY=V1,V2,…}: every value checked as its option checks it. */
    record Sweep(String key, List<String> values) {
        static final class Converter implements CommandLine.ITypeConverter<Sweep> {
            @Override
            public Sweep convert(String text) {
                int eq = text.indexOf('=');
                if (eq <= 0 || eq == text.length() - 1) {
                    throw new CommandLine.TypeConversionException("'" + Numbers.quote(text, 60) + "' is not KEY=V1,V2,…");
                }
                String key = text.substring(0, eq);
                List<String> values = new ArrayList<>();
                for (String raw : text.substring(eq + 1).split(",", -1)) {
                    String v = raw.trim();
                    String checked = switch (key) {
                        case "lr", "weight-decay" -> Double.toString(new OptionValues.NonNegative().convert(v));
                        case "momentum" -> Double.toString(new OptionValues.Momentum().convert(v));
                        case "epochs" -> Integer.toString(new OptionValues.AtLeastOne().convert(v));
                        case "batch" -> new BatchSize().convert(v);
                        case "optimizer" -> new OptimizerName().convert(v);
                        default -> throw new CommandLine.TypeConversionException("key '" + Numbers.quote(key, 40)
                                + "' is not one of lr, batch, optimizer, epochs, momentum, weight-decay");
                    };
                    if (values.contains(checked)) {
                        throw new CommandLine.TypeConversionException(key + " names the value " + v + " twice");
                    }
                    values.add(checked);
                }
                return new Sweep(key, values);
            }
        }
    }
}
