package dev.quern.master.engine;

/** The life of one task attempt in the book. */
public enum AttemptState {
  RUNNING,
  SUCCEEDED,
  FAILED,
  KILLED,
  /** Succeeded once, but a reduce later found its map output unusable. */
  OUTPUT_LOST;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
