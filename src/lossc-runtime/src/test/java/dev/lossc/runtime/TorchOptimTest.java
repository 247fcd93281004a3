package dev.lossc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The optimizers and schedules against trajectories recorded from {@code torch.optim} by
 * {@code tools/optim_reference.py} (float64): the same gradients applied to the same parameters
 * give the same parameters after every step, to 1e-12 relative.
 */
class TorchOptimTest {
    private static final Map<String, Object> REFERENCE = read("/torch_optim.json");

    @SuppressWarnings("unchecked")
    static <T> T get(Object map, String key) {
        return (T) ((Map<String, Object>) map).get(key);
    }

    static double[] doubles(Object list) {
        List<?> l = (List<?>) list;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) l.get(i)).doubleValue();
        }
        return d;
    }

    private static double option(Map<String, Object> options, String key, double otherwise) {
        Object v = options.get(key);
        return v == null ? otherwise : v instanceof Boolean ? ((Boolean) v ? 1 : 0) : ((Number) v).doubleValue();
    }

    /** The optimizer of a recorded run, built from its torch options (PyTorch's defaults elsewhere). */
    static Optimizer optimizer(String name, Map<String, Object> o, int n) {
        double lr = option(o, "lr", 0);
        boolean amsgrad = option(o, "amsgrad", 0) != 0;
        double[] betas = o.containsKey("betas") ? doubles(o.get("betas")) : new double[] {0.9, 0.999};
        switch (name) {
            case "sgd":
                return new Sgd(n, lr, option(o, "momentum", 0), option(o, "dampening", 0), option(o, "weight_decay", 0),
                        option(o, "nesterov", 0) != 0);
            case "adagrad":
                return new Adagrad(n, lr, option(o, "lr_decay", 0), option(o, "weight_decay", 0), option(o, "initial_accumulator_value", 0),
                        option(o, "eps", 1e-10));
            case "rmsprop":
                return new RmsProp(n, lr, option(o, "alpha", 0.99), option(o, "eps", 1e-8), option(o, "weight_decay", 0),
                        option(o, "momentum", 0), option(o, "centered", 0) != 0);
            case "adam":
                return new Adam(n, lr, betas[0], betas[1], option(o, "eps", 1e-8), option(o, "weight_decay", 0), false, amsgrad);
            case "adamw":
                return new Adam(n, lr, betas[0], betas[1], option(o, "eps", 1e-8), option(o, "weight_decay", 0.01), true, amsgrad);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyOptimizerFollowsTorchStepByStep() {
        return trajectories(Optimizer::step, 1e-12, true);
    }

    /**
     * On float arrays (a class generated with {@code --precision float}), every optimizer follows
     * the same recorded float64 trajectories to float's accuracy: each step rounds the parameters
     * to float, so they drift from torch's by a few float roundings.
     */
    @TestFactory
    Stream<DynamicTest> everyOptimizerFollowsTorchOnFloatArrays() {
        return trajectories((opt, p, g) -> {
            float[] pf = new float[p.length];
            float[] gf = new float[g.length];
            for (int i = 0; i < p.length; i++) {
                pf[i] = (float) p[i];
                gf[i] = (float) g[i];
            }
            opt.step(pf, gf);
            for (int i = 0; i < p.length; i++) {
                p[i] = pf[i];
            }
        }, 1e-5, false);
    }

    /** One step of {@code opt} on {@code params} (updated in place) from {@code grad}. */
    private interface Stepper {
        void step(Optimizer opt, double[] params, double[] grad);
    }

    /**
     * Every recorded run, its steps taken by {@code stepper}: after each, the parameters agree with
     * torch's to {@code tolerance} relative; with {@code reset}, reset() then one step gives torch's
     * first step again.
     */
    private static Stream<DynamicTest> trajectories(Stepper stepper, double tolerance, boolean reset) {
        double[] initial = doubles(REFERENCE.get("initial"));
        List<Object> gradients = get(REFERENCE, "gradients");
        List<Object> runs = get(REFERENCE, "runs");
        List<DynamicTest> tests = new ArrayList<>();
        for (Object run : runs) {
            String name = get(run, "optimizer");
            Map<String, Object> options = get(run, "options");
            List<Object> trajectory = get(run, "trajectory");
            tests.add(DynamicTest.dynamicTest(name + " " + options, () -> {
                Optimizer opt = optimizer(name, options, initial.length);
                double[] p = initial.clone();
                for (int t = 0; t < trajectory.size(); t++) {
                    stepper.step(opt, p, doubles(gradients.get(t)));
                    double[] want = doubles(trajectory.get(t));
                    for (int i = 0; i < p.length; i++) {
                        double err = Math.abs(p[i] - want[i]) / Math.max(1.0, Math.abs(want[i]));
                        assertTrue(err <= tolerance, "step " + (t + 1) + " p[" + i + "] = " + p[i] + ", torch " + want[i]);
                    }
                }
                assertEquals(trajectory.size(), opt.steps());
                if (reset) {
                    // reset() starts over: the first step again gives torch's first step.
                    opt.reset();
                    double[] again = initial.clone();
                    stepper.step(opt, again, doubles(gradients.get(0)));
                    double[] first = doubles(trajectory.get(0));
                    for (int i = 0; i < again.length; i++) {
                        assertEquals(first[i], again[i], 1e-12 * Math.max(1.0, Math.abs(first[i])));
                    }
                }
            }));
        }
        assertEquals(11, tests.size());
        return tests.stream();
    }

    @Test
    void schedulesGiveTorchsRatesPerEpoch() {
        List<Object> schedules = get(REFERENCE, "schedules");
        for (Object s : schedules) {
            String name = get(s, "schedule");
            double[] rates = doubles(get(s, "rates"));
            Schedule schedule;
            switch (name) {
                case "step":
                    schedule = Schedule.step(3, 0.5);
                    break;
                case "cosine":
                    schedule = Schedule.cosine(10, 0.001);
                    break;
                case "linear":
                    schedule = Schedule.linear(0.25, 0.75, 5);
                    break;
                default:
                    schedule = Schedule.warmup(4, 0.1, Schedule.cosine(8, 0));
            }
            for (int epoch = 0; epoch < rates.length; epoch++) {
                assertEquals(rates[epoch], schedule.at(0.1, epoch), 1e-15, name + " epoch " + epoch);
            }
        }
        assertEquals(4, schedules.size());
        assertEquals(0.1, Schedule.constant().at(0.1, 99), 0.0);
    }

    @Test
    void plateauLowersTheRateAsTorchDoes() {
        List<Object> plateaus = get(REFERENCE, "plateaus");
        for (Object run : plateaus) {
            Map<String, Object> o = get(run, "options");
            Plateau plateau = new Plateau(option(o, "factor", 0.1), (int) option(o, "patience", 10), option(o, "threshold", 1e-4),
                    (int) option(o, "cooldown", 0), option(o, "min_lr", 0), 1e-8);
            double[] metrics = doubles(get(run, "metrics"));
            double[] rates = doubles(get(run, "rates"));
            double rate = 0.1;
            for (int i = 0; i < metrics.length; i++) {
                rate = plateau.step(metrics[i], rate);
                assertEquals(rates[i], rate, 1e-15, o + " epoch " + i);
            }
        }
        assertEquals(2, plateaus.size());
    }

    @Test
    void clippingGivesTorchsGradients() {
        List<Object> clips = get(REFERENCE, "clips");
        for (Object c : clips) {
            double[] g = doubles(get(c, "grad"));
            double limit = ((Number) get(c, "limit")).doubleValue();
            if (get(c, "kind").equals("norm")) {
                double norm = Gradients.clipNorm(g, limit);
                assertEquals(((Number) get(c, "norm")).doubleValue(), norm, 1e-14);
            } else {
                Gradients.clipValue(g, limit);
            }
            double[] want = doubles(get(c, "clipped"));
            for (int i = 0; i < g.length; i++) {
                assertEquals(want[i], g[i], 1e-15 * Math.max(1, Math.abs(want[i])), get(c, "kind") + " " + limit + " [" + i + "]");
            }
        }
        assertEquals(3, clips.size());
    }

    /** Stopped after 10 steps, its state saved and restored into a new optimizer: the next 15 steps are torch's, bit for bit those of one run. */
    @TestFactory
    Stream<DynamicTest> aRestoredStateContinuesBitForBit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        double[] initial = doubles(REFERENCE.get("initial"));
        List<Object> gradients = get(REFERENCE, "gradients");
        List<Object> runs = get(REFERENCE, "runs");
        List<DynamicTest> tests = new ArrayList<>();
        int k = 0;
        for (Object run : runs) {
            String name = get(run, "optimizer");
            Map<String, Object> options = get(run, "options");
            java.nio.file.Path file = tmp.resolve("state" + k++ + ".safetensors");
            tests.add(DynamicTest.dynamicTest(name + " " + options, () -> {
                Optimizer whole = optimizer(name, options, initial.length);
                double[] p = initial.clone();
                for (int t = 0; t < gradients.size(); t++) {
                    whole.step(p, doubles(gradients.get(t)));
                }
                Optimizer first = optimizer(name, options, initial.length);
                double[] q = initial.clone();
                for (int t = 0; t < 10; t++) {
                    first.step(q, doubles(gradients.get(t)));
                }
                first.writeState(file);
                Optimizer second = optimizer(name, options, initial.length);
                second.readState(file);
                assertEquals(10, second.steps());
                for (int t = 10; t < gradients.size(); t++) {
                    second.step(q, doubles(gradients.get(t)));
                }
                for (int i = 0; i < p.length; i++) {
                    assertEquals(Double.doubleToLongBits(p[i]), Double.doubleToLongBits(q[i]), "p[" + i + "]");
                }
                // Another kind's state is refused.
                Optimizer other = name.equals("sgd") ? Adam.of(initial.length, 0.1) : Sgd.of(initial.length, 0.1);
                ParameterFileException e = assertThrows(ParameterFileException.class, () -> other.readState(file));
                assertTrue(e.getMessage().contains("the state of " + first.getClass().getSimpleName() + ", not of "), e.getMessage());
            }));
        }
        return tests.stream();
    }

    @Test
    void buildersNameTheOptions() {
        double[] p = {1, 2};
        double[] g = {0.5, -0.25};
        Adam byName = Adam.builder(2).lr(0.01).betas(0.8, 0.99).eps(1e-7).weightDecay(0.01).amsgrad(true).build();
        Adam byPosition = new Adam(2, 0.01, 0.8, 0.99, 1e-7, 0.01, false, true);
        double[] a = p.clone();
        double[] b = p.clone();
        for (int i = 0; i < 5; i++) {
            byName.step(a, g);
            byPosition.step(b, g);
        }
        assertEquals(java.util.Arrays.toString(b), java.util.Arrays.toString(a));
        assertEquals(java.util.Arrays.toString(Adam.adamW(2, 0.001).state().keySet().toArray()),
                java.util.Arrays.toString(Adam.builder(2).adamW().build().state().keySet().toArray()));
        assertEquals(0.1, Sgd.builder(2).lr(0.1).momentum(0.9).nesterov(true).build().learningRate(), 0);
        assertEquals("[square_avg, grad_avg, momentum_buffer, step]",
                RmsProp.builder(2).centered(true).momentum(0.5).build().state().keySet().toString());
        assertEquals("[sum, step]", Adagrad.builder(2).lr(0.1).build().state().keySet().toString());
    }

    @Test
    void aStepAllocatesNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = 10_000;
        double[] p = new double[n];
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = Math.sin(i);
        }
        List<Optimizer> all = new ArrayList<>();
        all.add(new Sgd(n, 0.01, 0.9, 0, 1e-4, true));
        all.add(new Adagrad(n, 0.01, 0.01, 1e-4, 0.1, 1e-10));
        all.add(new RmsProp(n, 0.01, 0.99, 1e-8, 1e-4, 0.5, true));
        all.add(new Adam(n, 0.01, 0.9, 0.999, 1e-8, 1e-4, false, true));
        all.add(Adam.adamW(n, 0.01));
        float[] pf = new float[n];
        float[] gf = new float[n];
        for (int i = 0; i < n; i++) {
            gf[i] = (float) g[i];
        }
        for (Optimizer opt : all) {
            for (int i = 0; i < 2_000; i++) {
                opt.step(p, g);
                opt.step(pf, gf);
            }
            long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 1_000; i++) {
                opt.step(p, g);
                opt.step(pf, gf);
            }
            long bytes = bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(bytes / 1_000 == 0, opt.getClass().getSimpleName() + " allocates " + bytes / 1_000.0 + " bytes per step");
        }
    }

    @Test
    void badSettingsAndArraysAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sgd.of(3, -1));
        assertEquals("learning rate must be finite and 0 or more, but it is -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(3, 0.1, 0, 0, 0, true));
        assertEquals("Nesterov momentum requires a momentum and zero dampening", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(3, 0.1, 1.0, 0.999, 1e-8, 0, false, false));
        assertEquals("beta1 must be in [0, 1), but it is 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Adam.of(3, 0.1).step(new double[3], new double[4]));
        assertEquals("params and grad must have length 3, but they have 3 and 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Adam.of(3, 0.1).step(new float[2], new float[3]));
        assertEquals("params and grad must have length 3, but they have 2 and 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Adam.of(3, 0.1).step((float[]) null, new float[3]));
        assertEquals("params is null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.step(0, 0.5));
        assertEquals("step size must be 1 or more, but it is 0", e.getMessage());
    }

    // ------------------------------------------------------------------ a small JSON reader

    static Map<String, Object> read(String resource) {
        try (InputStream in = TorchOptimTest.class.getResourceAsStream(resource); JsonParser p = new JsonFactory().createParser(in)) {
            p.nextToken();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value(p);
            return m;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                m.put(key, value(p));
            }
            return m;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(value(p));
            }
            return l;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        return p.getText();
    }
}
