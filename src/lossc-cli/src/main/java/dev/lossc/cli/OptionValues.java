package dev.lossc.cli;

import dev.lossc.Numbers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that check an option's value when the command line is parsed, with the valid range
 * in the message: a bad value is a usage error before anything runs, never a failure later.
 * Numbers are read by the grammar of the language's literals with an optional sign
 * ({@link Numbers#literal}): no {@code NaN}, no infinity, no {@code 1d}.
 */
final class OptionValues {
    private OptionValues() {}

    /** A finite number, or the message that says why not. */
    static double number(String text, String range) {
        try {
            return Numbers.literal(text);
        } catch (Numbers.NotANumber e) {
            throw new TypeConversionException("'" + Numbers.quote(text, 40) + "' " + e.getMessage() + "; expected " + range);
        }
    }

    static double atLeast(String text, double min, String range) {
        double v = number(text, range);
        if (!(v >= min)) {
            throw new TypeConversionException("'" + text + "' is out of range: expected " + range);
        }
        return v;
    }

    static int count(String text, int min, String range) {
        long v;
        try {
            v = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + Numbers.quote(text, 40) + "' is not a whole number; expected " + range);
        }
        if (v < min || v > Integer.MAX_VALUE) {
            throw new TypeConversionException("'" + text + "' is out of range: expected " + range);
        }
        return (int) v;
    }

    /** A finite number of 0 or more (a learning rate, weight decay, a tolerance). */
    static final class NonNegative implements ITypeConverter<Double> {
        static final String RANGE = "a finite number of 0 or more";

        @Override
        public Double convert(String value) {
            return atLeast(value, 0, RANGE);
        }
    }

    /** A finite number above 0 (a finite-difference step). */
    static final class Positive implements ITypeConverter<Double> {
        static final String RANGE = "a finite number above 0";

        @Override
        public Double convert(String value) {
            double v = number(value, RANGE);
            if (!(v > 0)) {
                throw new TypeConversionException("'" + value + "' is out of range: expected " + RANGE);
            }
            return v;
        }
    }

    /** A momentum: from 0 to 1. */
    static final class Momentum implements ITypeConverter<Double> {
        static final String RANGE = "a number from 0 to 1";

        @Override
        public Double convert(String value) {
            double v = number(value, RANGE);
            if (!(v >= 0 && v <= 1)) {
                throw new TypeConversionException("'" + value + "' is out of range: expected " + RANGE);
            }
            return v;
        }
    }

    /** A share strictly between 0 and 1 (a hold-out). */
    static final class Share implements ITypeConverter<Double> {
        static final String RANGE = "a share between 0 and 1 (both excluded)";

        @Override
        public Double convert(String value) {
            double v = number(value, RANGE);
            if (!(v > 0 && v < 1)) {
                throw new TypeConversionException("'" + value + "' is out of range: expected " + RANGE);
            }
            return v;
        }
    }

    /** A whole number of 1 or more (epochs, a print interval, a sample size). */
    static final class AtLeastOne implements ITypeConverter<Integer> {
        static final String RANGE = "a whole number from 1 to 2147483647";

        @Override
        public Integer convert(String value) {
            return count(value, 1, RANGE);
        }
    }

    /** A thread count: 1 to 256, what a parallel class's {@code setThreads} accepts. */
    static final class Threads implements ITypeConverter<Integer> {
        static final String RANGE = "a whole number from 1 to 256";

        @Override
        public Integer convert(String value) {
            int n = count(value, 1, RANGE);
            if (n > 256) {
                throw new TypeConversionException("'" + value + "' is out of range: expected " + RANGE);
            }
            return n;
        }
    }

    /** Any whole number that fits a long (a seed). */
    static final class Seed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.startsWith("+") ? value.substring(1) : value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + Numbers.quote(value, 40)
                        + "' is not a whole number from -9223372036854775808 to 9223372036854775807");
            }
        }
    }
}
