package dev.quern.raft;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@link DedupStateMachine} answers for a {@link ClientCommand}: the inner state machine's
 * result, or a refusal that says the command was not applied. A refusal is never an "OK": a client
 * told {@link Refused} knows its write did not happen by this command.
 *
 * <pre>{@code
 * ClientResult r = ClientResult.decode(applied.result());
 * if (r instanceof ClientResult.Done d) {
 *   reply("OK " + new String(d.value(), UTF_8));
 * } else if (r instanceof ClientResult.Refused no) {
 *   reply("ERR " + no.reason() + ": " + no.detail());
 * }
 * }</pre>
 *
 * Encoded as {@code [version 1][code 1][value, or the detail in UTF-8]}; codes are explicit, never
 * enum ordinals.
 */
public sealed interface ClientResult {

  byte VERSION = 1;

  /** Why a command was not applied. */
  enum Reason {
    /** Its sequence number is below the client's window: an old retry that must not be applied. */
    STALE(1),
    /** The client has no session (it expired, or the client never opened one with an early number). */
    NO_SESSION(2);

    final byte code;

    Reason(int code) {
      this.code = (byte) code;
    }

    static Reason of(byte code) {
      for (Reason r : values()) {
        if (r.code == code) {
          return r;
        }
      }
      throw new IllegalArgumentException("unknown client result code " + code);
    }
  }

  /** Applied (now, or earlier: a duplicate gets the first application's value). */
  record Done(byte[] value) implements ClientResult {
    public Done {
      value = value == null ? new byte[0] : value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Done d && Arrays.equals(d.value, value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Done[" + new String(value, StandardCharsets.UTF_8) + "]";
    }
  }

  /** Not applied, and never will be under this sequence number. */
  record Refused(Reason reason, String detail) implements ClientResult {
  }

  /** The code of {@link Done}; a {@link Refused} carries its {@link Reason}'s code. */
  byte DONE = 0;

  default byte[] encode() {
    byte[] body = this instanceof Done d ? d.value()
        : ((Refused) this).detail().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[2 + body.length];
    out[0] = VERSION;
    out[1] = this instanceof Refused r ? r.reason().code : DONE;
    System.arraycopy(body, 0, out, 2, body.length);
    return out;
  }

  static ClientResult decode(byte[] data) {
    if (data == null || data.length < 2) {
      throw new IllegalArgumentException("client result of " + (data == null ? "no" : data.length)
          + " bytes, shorter than its 2-byte header");
    }
    if (data[0] != VERSION) {
      throw new IllegalArgumentException("client result of version " + data[0] + ", this node reads " + VERSION);
    }
    byte[] body = Arrays.copyOfRange(data, 2, data.length);
    return data[1] == DONE ? new Done(body)
        : new Refused(Reason.of(data[1]), new String(body, StandardCharsets.UTF_8));
  }
}
