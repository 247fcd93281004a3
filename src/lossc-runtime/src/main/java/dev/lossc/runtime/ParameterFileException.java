package dev.lossc.runtime;

import java.io.IOException;

/**
 * A parameter file that cannot be used: not in the format its name says, damaged, or holding a
 * tensor whose name, shape or element type does not fit the model. The message names the file, the
 * tensor and, for a shape, both shapes.
 */
public final class ParameterFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public ParameterFileException(String message) {
        super(message);
    }
}
