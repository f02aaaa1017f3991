package dev.quern.worker.task;

/** Map or reduce; the letter appears in attempt ids and part file names. */
public enum TaskKind {
  MAP('m'),
  REDUCE('r');

  private final char letter;

  TaskKind(char letter) {
    this.letter = letter;
  }

  public char letter() {
    return letter;
  }
}
