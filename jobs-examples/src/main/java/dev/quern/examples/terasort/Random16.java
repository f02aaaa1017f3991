package dev.quern.examples.terasort;

/**
 * The 128-bit linear congruential generator of gensort and Hadoop's TeraGen:
 * {@code x' = (A * x + C) mod 2^128}, starting from 0, with the power-of-two jump table that lets
 * a task start at any row without generating the rows before it.
 */
final class Random16 {
  static final Uint128 A = Uint128.ofHex("2360ed051fc65da44385df649fccf645");
  static final Uint128 C = Uint128.ofHex("4a696d47726179524950202020202001");

  /** {@code JUMP_A[i] * x + JUMP_C[i]} advances the generator by 2^i steps. */
  static final Uint128[] JUMP_A = new Uint128[128];
  static final Uint128[] JUMP_C = new Uint128[128];

  static {
    // f^(2n)(x) = a(a x + c) + c = (a*a) x + (a*c + c): square the step function 127 times.
    Uint128 a = new Uint128(A);
    Uint128 c = new Uint128(C);
    for (int i = 0; i < 128; i++) {
      JUMP_A[i] = new Uint128(a);
      JUMP_C[i] = new Uint128(c);
      Uint128 nextC = new Uint128(a);
      nextC.multiply(c);
      nextC.add(c);
      a.multiply(a);
      c = nextC;
    }
  }

  private Random16() {}

  /** The generator's state after {@code advance} steps from 0. */
  static Uint128 skipAhead(Uint128 advance) {
    Uint128 result = new Uint128(0, 0);
    for (int i = 0; i < 128; i++) {
      long word = i < 64 ? advance.lo : advance.hi;
      if ((word & (1L << (i % 64))) != 0) {
        result.multiply(JUMP_A[i]);
        result.add(JUMP_C[i]);
      }
    }
    return result;
  }

  /** Advances {@code rand} by one step. */
  static void nextRand(Uint128 rand) {
    rand.multiply(A);
    rand.add(C);
  }
}
