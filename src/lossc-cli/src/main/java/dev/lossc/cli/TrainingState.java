package dev.lossc.cli;

import dev.lossc.runtime.ParameterFileException;
import dev.lossc.runtime.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code train --resume} needs to continue a run as if it had never stopped, written beside
 * {@code --out} after every epoch ({@code trained.json} → {@code trained.state.safetensors}): the
 * parameters after the last finished epoch, the optimizer's state (torch's buffer names), the best
 * parameters so far (with {@code --keep best}), and in the metadata the run's options, the epochs
 * done, the counters of early stopping and of a plateau schedule, and the learning rate.
 */
record TrainingState(Map<String, String> options, int epochsDone, double rate, double best, int bestEpoch, int badEpochs,
                     double[] plateau, double[] parameters, double[] bestParameters, Map<String, double[]> optimizer) {

    /** The state file of {@code out}: its name without the extension, then {@code .state.safetensors}. */
    static Path beside(Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".state.safetensors");
    }

    private static final String OPTION = "option.";

    byte[] bytes() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "lossc training state 1");
        for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
            meta.put(OPTION + e.getKey(), e.getValue());
        }
        meta.put("epochs_done", Integer.toString(epochsDone));
        meta.put("rate", Double.toString(rate));
        meta.put("best", Double.toString(best));
        meta.put("best_epoch", Integer.toString(bestEpoch));
        meta.put("bad_epochs", Integer.toString(badEpochs));
        Map<String, double[]> tensors = new LinkedHashMap<>();
        tensors.put("parameters", parameters);
        if (bestParameters != null) {
            tensors.put("best_parameters", bestParameters);
        }
        if (plateau != null) {
            tensors.put("plateau", plateau);
        }
        for (Map.Entry<String, double[]> e : optimizer.entrySet()) {
            tensors.put("optimizer." + e.getKey(), e.getValue());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, meta);
        return out.toByteArray();
    }

    static TrainingState read(Path file) throws IOException {
        try (SafeTensors f = SafeTensors.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!"lossc training state 1".equals(meta.get("format"))) {
                throw new ParameterFileException(file + ": not a training state lossc train wrote");
            }
            Map<String, String> options = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith(OPTION)) {
                    options.put(k.substring(OPTION.length()), v);
                }
            });
            Map<String, double[]> tensors = f.readAll();
            Map<String, double[]> optimizer = new LinkedHashMap<>();
            tensors.forEach((k, v) -> {
                if (k.startsWith("optimizer.")) {
                    optimizer.put(k.substring("optimizer.".length()), v);
                }
            });
            try {
                return new TrainingState(options, Integer.parseInt(meta.get("epochs_done")), Double.parseDouble(meta.get("rate")),
                        Double.parseDouble(meta.get("best")), Integer.parseInt(meta.get("best_epoch")), Integer.parseInt(meta.get("bad_epochs")),
                        tensors.get("plateau"), tensors.get("parameters"), tensors.get("best_parameters"), optimizer);
            } catch (RuntimeException e) {
                throw new ParameterFileException(file + ": a training state whose counters are missing or damaged");
            }
        }
    }
}
