package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.JobRecord;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.master.http.json.TaskDoc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The history's hand-written JSON is the document Jackson's data binding writes. */
class JobRecordJsonTest {
  private static final long SEED = 20261203L;

  @Test
  void writesWhatDataBindingWritesAndReadsBackEqual() throws Exception {
    System.out.println("JobRecordJsonTest seed " + SEED);
    Random random = new Random(SEED);
    for (int round = 0; round < 20; round++) {
      JobRecord r = record(random, round);
      byte[] ours = JobRecordJson.write(r);
      assertThat(Json.MAPPER.readTree(ours)).as("round %d, seed %d", round, SEED)
          .isEqualTo(Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(r)));
      assertThat(Json.MAPPER.readValue(ours, JobRecord.class)).isEqualTo(r);
    }
  }

  /** Every field set in some rounds and null in others; strings that need escaping. */
  private static JobRecord record(Random random, int round) {
    boolean nulls = round % 2 == 1;
    Map<String, Map<String, Long>> counters = new LinkedHashMap<>();
    counters.put("quern", Map.of("MAP_INPUT_RECORDS", random.nextLong(),
        "SHUFFLE_BYTES", (long) random.nextInt(1000)));
    counters.put("user \"group\"", Map.of("wörds\n", -1L));
    Map<String, String> config = Map.of("quern.reduce.tasks", "" + random.nextInt(9),
        "key\twith\u0001control", "value \\ \u00e9 \ud83d\ude00");
    List<TaskDoc> tasks = new ArrayList<>();
    int n = random.nextInt(4);
    for (int t = 0; t < n; t++) {
      List<AttemptDoc> attempts = new ArrayList<>();
      for (int a = 0; a <= random.nextInt(3); a++) {
        attempts.add(new AttemptDoc("attempt_" + t + "_" + a, a, "worker-" + a,
            nulls ? null : random.nextLong(), nulls ? null : (long) random.nextInt(),
            "SUCCEEDED", random.nextDouble(), nulls ? null : 10L * t, nulls ? null : 7L,
            nulls ? null : 3L, nulls ? null : Long.MAX_VALUE,
            nulls ? "boom: \"quoted\"\n\tat Foo.bar(Foo.java:1)" : null));
      }
      tasks.add(new TaskDoc("m_" + t, t % 2 == 0 ? "MAP" : "REDUCE", t, "DONE",
          nulls ? null : "file:/in/part-" + t + " [0+100]", attempts));
    }
    JobDoc job = new JobDoc("job-000" + round, "word count " + round, "root",
        nulls ? "FAILED" : "SUCCEEDED", 1_796_000_000_000L + round,
        nulls ? null : 1_796_000_000_100L, nulls ? null : 1_796_000_000_900L,
        nulls ? null : 800L, List.of("/in/a", "/in/b \"c\""), nulls ? null : "/out",
        new ProgressDoc(n, n, 0, round, 1.0), new ProgressDoc(2, 1, 1, 0, 0.5 + round / 100.0),
        counters, config, nulls ? "failed: why" : null, nulls ? "a note" : null);
    return new JobRecord(JobRecord.VERSION, job, tasks);
  }
}
