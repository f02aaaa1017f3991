package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.JobRecord;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.master.http.json.TaskDoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {
  @TempDir
  Path dir;

  @Test
  void savedRecordsReadBackEqualAndNewestFirst() {
    HistoryStore store = new HistoryStore(dir.resolve("h"));
    JobRecord older = record("job-0001", 1000, "SUCCEEDED");
    JobRecord newer = record("job-0002", 2000, "FAILED");
    store.save(older);
    store.save(newer);
    assertThat(store.load("job-0001")).contains(older);
    HistorySource source = new HistorySource(store);
    assertThat(source.jobs()).extracting(JobDoc::id).containsExactly("job-0002", "job-0001");
    assertThat(source.tasks("job-0002")).contains(newer.tasks());
    assertThat(source.cluster().totals().jobsByState())
        .containsEntry("SUCCEEDED", 1).containsEntry("FAILED", 1).containsEntry("RUNNING", 0);
    assertThat(source.kill("job-0001").result()).isEqualTo(KillOutcome.Result.NOT_RUNNING);
    assertThat(source.kill("job-0404").result()).isEqualTo(KillOutcome.Result.NOT_FOUND);
  }

  @Test
  void aFileRewrittenByAnotherProcessIsReadAgain() throws Exception {
    HistoryStore store = new HistoryStore(dir);
    store.save(record("job-0001", 1000, "RUNNING"));
    assertThat(store.load("job-0001").orElseThrow().job().state()).isEqualTo("RUNNING");
    new HistoryStore(dir).save(record("job-0001", 1000, "KILLED"));
    Files.setLastModifiedTime(dir.resolve("job-0001.json"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertThat(store.load("job-0001").orElseThrow().job().state()).isEqualTo("KILLED");
  }

  @Test
  void unreadableFilesAreSkippedAndPathTricksFindNothing() throws Exception {
    HistoryStore store = new HistoryStore(dir);
    store.save(record("job-0001", 1000, "SUCCEEDED"));
    Files.writeString(dir.resolve("job-0002.json"), "{ truncated");
    Files.writeString(dir.resolve("notes.txt"), "not a job");
    assertThat(store.loadAll()).extracting(r -> r.job().id()).containsExactly("job-0001");
    assertThat(store.load("../job-0001")).isEmpty();
    assertThat(store.load("job-0002")).isEmpty();
    assertThatThrownBy(() -> store.save(record("../escape", 1, "FAILED")))
        .hasMessageContaining("job id '../escape' cannot name a history file");
  }

  @Test
  void aJobOfAnEarlierRunWithTheSameIdIsKeptUnderItsSubmitTime() {
    HistoryStore store = new HistoryStore(dir);
    JobRecord earlier = record("job-0001", 1000, "FAILED");
    store.save(earlier);
    store.save(record("job-0001", 1000, "FAILED")); // the same run saving again: no copy
    store.save(record("job-0001", 5000, "SUCCEEDED"));
    HistorySource source = new HistorySource(store);
    assertThat(source.jobs()).extracting(JobDoc::id, JobDoc::state)
        .containsExactly(tuple("job-0001", "SUCCEEDED"), tuple("job-0001.1000", "FAILED"));
    assertThat(source.tasks("job-0001.1000")).contains(earlier.tasks());
    // The kept copy is the earlier record with only its id changed.
    JobRecord kept = store.load("job-0001.1000").orElseThrow();
    assertThat(kept.job()).usingRecursiveComparison().ignoringFields("id")
        .isEqualTo(earlier.job());
    assertThat(kept.version()).isEqualTo(earlier.version());
  }

  @Test
  void anUnreadableEarlierFileIsReplacedNotKept() throws Exception {
    HistoryStore store = new HistoryStore(dir);
    Files.writeString(dir.resolve("job-0001.json"), "{ truncated");
    store.save(record("job-0001", 5000, "SUCCEEDED"));
    assertThat(store.load("job-0001").orElseThrow().job().state()).isEqualTo("SUCCEEDED");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("job-0001.json");
    }
  }

  @Test
  void aMissingDirectoryIsAnEmptyHistory() {
    assertThat(new HistorySource(new HistoryStore(dir.resolve("none"))).jobs()).isEmpty();
  }

  static JobRecord record(String id, long submit, String state) {
    ProgressDoc p = new ProgressDoc(1, 1, 0, 0, 1.0);
    JobDoc job = new JobDoc(id, "name-" + id, "tester", state, submit, submit + 1, submit + 9, 8L,
        List.of("/in"), "/out", p, p, Map.of("quern", Map.of("MAP_INPUT_RECORDS", 3L)),
        Map.of("k", "v"), null);
    TaskDoc task = new TaskDoc("m-00000", "MAP", 0, "DONE", "/in:0+30", List.of(new AttemptDoc(
        id + "/m-00000/1", 1, "worker-0", submit + 1, submit + 5, "SUCCEEDED", 1.0, 3L, 30L,
        null, null, null)));
    return new JobRecord(JobRecord.VERSION, job, List.of(task));
  }
}
