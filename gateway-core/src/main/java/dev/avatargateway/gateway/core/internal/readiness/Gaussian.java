package dev.avatargateway.gateway.core.internal.readiness;

/** The standard normal distribution's CDF, which the JDK does not have. */
final class Gaussian {
  private Gaussian() {}

  /**
   * Φ(x), to a relative error below 1.2e-7 everywhere (the Chebyshev fit of erfc in Numerical
   * Recipes, 2nd ed., §6.2): far finer than the timing noise of status reads.
   */
  static double cdf(double x) {
    return 0.5 * erfc(-x / Math.sqrt(2));
  }

  private static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
}
