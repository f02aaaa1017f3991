package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The book is a pure function of its events: a random history gives the same book and the same
 * outcomes whether it is applied live, replayed through the codec, or resumed from a snapshot
 * taken anywhere in it.
 */
@ExtendWith(Seeds.class)
class BookReplayTest {
  private static final int HISTORIES = 40;

  @Test
  void aSnapshotTakenMidwayThenTheRestGivesTheSameBook(Seed seed) {
    int rejected = 0;
    int events = 0;
    for (int round = 0; round < HISTORIES; round++) {
      SplittableRandom random = new SplittableRandom(seed.derive(round));
      List<JobEvent> history = RandomHistory.of(random, 50 + random.nextInt(400));
      JobBook live = new JobBook();
      List<Outcome> outcomes = RandomHistory.outcomes(live, history);
      rejected += (int) outcomes.stream().filter(o -> o instanceof Outcome.Rejected).count();
      events += history.size();

      int cut = random.nextInt(history.size() + 1);
      JobBook first = new JobBook();
      for (JobEvent e : history.subList(0, cut)) {
        first.apply(BookCodec.decodeEvent(BookCodec.encode(e)));
      }
      JobBook resumed = BookCodec.restore(BookCodec.snapshot(first));
      List<Outcome> rest = history.subList(cut, history.size()).stream()
          .map(e -> resumed.apply(BookCodec.decodeEvent(BookCodec.encode(e)))).toList();

      assertThat(rest).as("round %d: outcomes after a snapshot at %d", round, cut)
          .isEqualTo(outcomes.subList(cut, outcomes.size()));
      assertThat(BookRendering.render(resumed)).as("round %d, snapshot at %d", round, cut)
          .isEqualTo(BookRendering.render(live));
      assertThat(BookCodec.snapshot(resumed)).as("round %d: snapshot bytes", round)
          .isEqualTo(BookCodec.snapshot(live));
      JobEvent.JobAccepted next = new JobEvent.JobAccepted(JobBookTest.spec("/fresh/" + round),
          List.of(), 1);
      assertThat(resumed.apply(next)).as("the next job's id").isEqualTo(live.apply(next));
    }
    // The histories must reach past the happy path, or the test proves little.
    assertThat(rejected).as("rejected events among %d", events).isPositive();
    assertThat(rejected).as("rejected events among %d", events).isLessThan(events / 4);
  }

  @Test
  void randomHistoriesReachEveryStateOfJobsAndAttempts(Seed seed) {
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (int round = 0; round < HISTORIES; round++) {
      JobBook book = new JobBook();
      // Every state the book passes through counts, not only where the history stops: a job is
      // COMMITTING for a moment only, and few histories end in that moment.
      for (JobEvent e : RandomHistory.of(new SplittableRandom(seed.derive(round)), 400)) {
        book.apply(e);
        for (BookJob job : book.jobs()) {
          seen.add(job.state());
          job.maps().forEach(t -> t.attempts().forEach(a -> seen.add(a.state())));
          job.reduces().forEach(t -> t.attempts().forEach(a -> seen.add(a.state())));
        }
      }
    }
    assertThat(seen).containsAll(List.of(dev.quern.api.JobState.values()));
    assertThat(seen).containsAll(List.of(AttemptState.values()));
  }
}
