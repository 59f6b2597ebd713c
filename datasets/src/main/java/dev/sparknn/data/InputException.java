package dev.sparknn.data;

import java.io.IOException;

/** An input file other than IDX (PNG, CSV) that cannot be used; the message names the file and what was found. */
public class InputException extends IOException {

    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }
}
