package dev.quern.raft.node;

import dev.quern.raft.StateMachine;
import java.nio.charset.StandardCharsets;

/** The actor tests' state machine: appends each command's text to a log and answers with the whole log. */
final class TextLog implements StateMachine {
  private final StringBuilder text = new StringBuilder();

  @Override
  public byte[] apply(byte[] command) {
    text.append(new String(command, StandardCharsets.UTF_8)).append(';');
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] snapshot() {
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void restore(byte[] snapshot) {
    text.setLength(0);
    text.append(new String(snapshot, StandardCharsets.UTF_8));
  }
}
