package dev.quern.testkit;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * One test's seed (see {@link Seeds}). Every generator a test makes comes from here, so the printed
 * number replays the whole test.
 */
public record Seed(long value) {

  /** A fresh generator over this seed; two calls give two generators with the same sequence. */
  public SplittableRandom random() {
    return new SplittableRandom(value);
  }

  /** For APIs that want a {@link Random}. */
  public Random javaRandom() {
    return new Random(value);
  }

  /** A seed derived from this one for the {@code i}-th case of a loop, stable across runs. */
  public long derive(long i) {
    return new SplittableRandom(value ^ (0x9E3779B97F4A7C15L * (i + 1))).nextLong();
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
