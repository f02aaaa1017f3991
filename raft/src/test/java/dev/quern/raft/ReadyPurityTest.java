package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Message.AppendEntries;
import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.VoteResponse;
import dev.quern.raft.node.RaftWireFormat;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftCore#hasReady()} is a pure query: asking it any number of times changes nothing, so the
 * next {@link RaftCore#ready()} holds exactly what it would have held without the question — checked
 * against a twin core fed the same inputs that is never asked — and it says "yes" exactly when that
 * Ready has something in it.
 */
class ReadyPurityTest {

  private static final String CLASS = "dev.quern.raft.ReadyPurityTest";

  private static RaftConfig config(long id) {
    return RaftConfig.builder(id).preVote(false).maxEntriesPerMessage(4).maxInflight(3)
        .maxBytesPerMessage(1024).maxEntryBytes(200).maxInflightBytes(2048).maxUncommittedBytes(4096)
        .snapshotChunkBytes(64).build();
  }

  private static boolean hasContent(Ready rd, SoftState previous) {
    return !rd.softState().equals(previous) || rd.hardState() != null || !rd.entries().isEmpty()
        || rd.snapshot() != null || !rd.committedEntries().isEmpty() || !rd.messagesBeforePersist().isEmpty()
        || !rd.messages().isEmpty() || !rd.readStates().isEmpty();
  }

  /**
   * Field by field; messages by their wire bytes, which hold every field (a record's own equals
   * would compare a snapshot chunk's byte array by identity).
   */
  private static void assertSameReady(Ready a, Ready b, String what) {
    assertThat(a.softState()).as(what).isEqualTo(b.softState());
    assertThat(a.hardState()).as(what).isEqualTo(b.hardState());
    assertThat(a.entries()).as(what).isEqualTo(b.entries());
    assertThat(a.snapshot()).as(what).isEqualTo(b.snapshot());
    assertThat(a.committedEntries()).as(what).isEqualTo(b.committedEntries());
    assertThat(wire(a.messagesBeforePersist())).as(what).isEqualTo(wire(b.messagesBeforePersist()));
    assertThat(wire(a.messages())).as(what).isEqualTo(wire(b.messages()));
    assertThat(a.readStates()).as(what).isEqualTo(b.readStates());
    assertThat(a.mustSync()).as(what).isEqualTo(b.mustSync());
  }

  private static List<String> wire(List<Message> messages) {
    return messages.stream().map(m -> HexFormat.of().formatHex(RaftWireFormat.encode(m))).toList();
  }

  private static List<AppendEntries> appendsTo(Ready rd, long to) {
    return Stream.concat(rd.messagesBeforePersist().stream(), rd.messages().stream())
        .filter(m -> m instanceof AppendEntries && m.to() == to).map(m -> (AppendEntries) m).toList();
  }

  /** A leader of {1, 2, 3} whose followers both acknowledged its no-op (so both are in REPLICATE). */
  private static RaftCore replicatingLeader() {
    RaftCore c = RaftCore.bootstrap(config(1), List.of(1L, 2L, 3L), new SplittableRandom(3));
    c.advance(c.ready());
    while (c.role() != Role.CANDIDATE) {
      c.tick();
    }
    c.step(new VoteResponse(2, 1, c.term(), false, false));
    c.advance(c.ready());
    long last = c.lastIndex();
    c.step(new AppendResponse(2, 1, c.term(), last, false, 0, 0));
    c.step(new AppendResponse(3, 1, c.term(), last, false, 0, 0));
    c.advance(c.ready());
    return c;
  }

  @Test
  void askingInBetweenDoesNotSplitABatch() {
    RaftCore asked = replicatingLeader();
    RaftCore direct = replicatingLeader();

    asked.propose(new byte[] {1});
    assertThat(asked.hasReady()).isTrue();
    assertThat(asked.hasReady()).isTrue();
    asked.propose(new byte[] {2});
    Ready a = asked.ready();

    direct.propose(new byte[] {1});
    direct.propose(new byte[] {2});
    Ready d = direct.ready();

    assertSameReady(a, d, "the Ready");
    // One append per follower carries both proposals (what hasReady used to break by sending the first alone).
    for (long follower : List.of(2L, 3L)) {
      assertThat(appendsTo(a, follower)).singleElement()
          .satisfies(m -> assertThat(m.entries()).extracting(e -> e.data()[0]).containsExactly((byte) 1, (byte) 2));
    }
  }

  @Test
  void hasReadyTwiceThenReadyEqualsReady() {
    RaftCore asked = replicatingLeader();
    RaftCore direct = replicatingLeader();
    for (RaftCore c : List.of(asked, direct)) {
      c.propose(new byte[] {7});
      c.readIndex(5);
    }
    boolean first = asked.hasReady();
    boolean second = asked.hasReady();
    Ready a = asked.ready();
    Ready d = direct.ready();
    assertThat(first).isTrue();
    assertThat(second).isTrue();
    assertSameReady(a, d, "the Ready");
    asked.advance(a);
    direct.advance(d);
    assertThat(asked.hasReady()).isEqualTo(direct.hasReady()).isFalse();
  }

  /**
   * Three nodes, each a pair of twins fed the same ticks, messages, proposals, reads and snapshots in
   * a random schedule (drops, reordering, a node cut off for a while). One twin is asked hasReady()
   * at random — after inputs, between inputs, before a Ready — and the other never: their Readies must
   * be equal throughout, and the answer just before a Ready must match whether it has content.
   */
  @Test
  void twinsAgreeWhateverTheyAreAsked() {
    Seeds.run(CLASS, "twinsAgreeWhateverTheyAreAsked", 50, seed -> new Twins(seed).run(3_000));
  }

  private static final class Twins {
    final SplittableRandom rnd;
    final RaftCore[] asked = new RaftCore[4];
    final RaftCore[] direct = new RaftCore[4];
    final SoftState[] lastSoft = new SoftState[4];
    final List<Message> network = new ArrayList<>();
    long cutOff;
    int readies;
    int nonEmpty;

    Twins(long seed) {
      rnd = new SplittableRandom(seed);
      for (int id = 1; id <= 3; id++) {
        asked[id] = RaftCore.bootstrap(config(id), List.of(1L, 2L, 3L), new SplittableRandom(seed * 31 + id));
        direct[id] = RaftCore.bootstrap(config(id), List.of(1L, 2L, 3L), new SplittableRandom(seed * 31 + id));
        lastSoft[id] = new SoftState(RaftCore.NONE, Role.FOLLOWER);
      }
    }

    void run(int steps) {
      long seq = 0;
      for (int step = 0; step < steps; step++) {
        int id = 1 + rnd.nextInt(3);
        int action = rnd.nextInt(100);
        if (action < 30) {
          both(id, c -> c.tick());
        } else if (action < 80) {
          if (!network.isEmpty()) {
            Message m = network.remove(rnd.nextInt(Math.min(3, network.size()))); // mild reordering
            id = (int) m.to();
            if (rnd.nextInt(10) > 0 && m.to() != cutOff && m.from() != cutOff) {
              both(id, c -> c.step(m));
            }
          }
        } else if (action < 92) {
          byte[] cmd = new byte[1 + rnd.nextInt(150)];
          cmd[0] = (byte) ++seq;
          both(id, c -> {
            try {
              c.propose(cmd);
            } catch (UncommittedLimitException e) {
              // the same on both twins; the next Readies are compared as usual
            }
          });
        } else if (action < 96) {
          long ctx = ++seq;
          both(id, c -> c.readIndex(ctx));
        } else if (action < 98) {
          RaftCore c = asked[id];
          if (c.appliedIndex() - c.snapshot().index() >= 5) {
            long index = c.appliedIndex();
            both(id, x -> x.createSnapshot(index, new byte[100]));
          }
        } else {
          cutOff = cutOff == 0 ? id : 0;
        }
        // Ask between inputs too: the next input may come before the next Ready.
        for (int q = rnd.nextInt(3); q > 0; q--) {
          asked[id].hasReady();
        }
        if (rnd.nextInt(10) < 7) {
          process(id);
        }
      }
      assertThat(nonEmpty).as("the schedule produced work").isGreaterThan(100);
    }

    void both(int id, java.util.function.Consumer<RaftCore> input) {
      input.accept(asked[id]);
      input.accept(direct[id]);
    }

    void process(int id) {
      while (true) {
        int questions = rnd.nextInt(4);
        boolean answer = false;
        for (int q = 0; q < questions; q++) {
          boolean now = asked[id].hasReady();
          if (q > 0) {
            assertThat(now).as("hasReady asked again").isEqualTo(answer);
          }
          answer = now;
        }
        Ready a = asked[id].ready();
        Ready d = direct[id].ready();
        readies++;
        assertSameReady(a, d, "node " + id + ", Ready " + readies);
        boolean content = hasContent(a, lastSoft[id]);
        if (questions > 0) {
          assertThat(answer).as("hasReady() against the Ready's content, node %d", id).isEqualTo(content);
        }
        network.addAll(a.messagesBeforePersist());
        network.addAll(a.messages());
        lastSoft[id] = a.softState();
        asked[id].advance(a);
        direct[id].advance(d);
        if (!content) {
          return;
        }
        nonEmpty++;
      }
    }
  }
}
