package dev.sparknn.data;

import java.io.IOException;

/** IDX input that is malformed, truncated or inconsistent with its partner file. The message names the file. */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String file;

    /**
     * @param file    the offending file, or the folder when a file is missing from it
     * @param message what was found and what was expected; includes {@code file}
     */
    public IdxFormatException(String file, String message) {
        super(message);
        this.file = file;
    }

    /** As {@link #IdxFormatException(String, String)}, keeping the I/O error that revealed the problem. */
    public IdxFormatException(String file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The offending file (or folder), as the caller spelled it. */
    public String file() {
        return file;
    }
}
