package dev.sparknn.ops;

/**
 * Gradient-check settings shared by the tests, for float32 math.
 *
 * <p>A central difference with step h has truncation error ~h²·|f'''|/6 and rounding error ~ε·|f|/h, where
 * ε ≈ 6e-8 is float32's unit roundoff: losses are summed in double, but every layer computes in float, so f
 * itself carries float noise. With h = 1e-2, checks over 3 rows (|f| of order 1–10) show relative errors up to
 * 2.9e-3 on correct code (measured over 5 seeds for every activation and loss; the identity/MSE network, whose
 * loss is exactly quadratic in each weight and so has no truncation error, still shows 1e-3: that part is pure
 * float noise). A wrong gradient (a missing factor, a transposed product, a sign, a dropped term) is off by order
 * 1, far above the 1e-2 bound; NetworkTest proves the bound rejects a 5% error in a single component. The floor
 * stops components whose true value is ~0 from dividing rounding noise by ~0.
 */
final class Tolerances {
    static final double H = 1e-2;
    static final double FLOOR = 1e-2;
    static final double MAX_RELATIVE_ERROR = 1e-2;

    private Tolerances() {
    }
}
