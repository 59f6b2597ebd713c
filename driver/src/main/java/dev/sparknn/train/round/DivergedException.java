package dev.sparknn.train.round;

/** A round's loss, gradient or update became NaN or infinite, and the policy is to stop. */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
