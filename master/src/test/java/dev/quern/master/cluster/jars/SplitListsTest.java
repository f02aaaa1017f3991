package dev.quern.master.cluster.jars;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.SplitListCodec;
import dev.quern.master.engine.StoredSplits;
import dev.quern.testkit.Await;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split lists on three real HTTP servers, each with its own split store: the leader takes an
 * upload and puts it on the others (the jar store's routes under {@code /api/cluster/splits}); a
 * master that lacks a list reads it from another; retention deletes a copy.
 */
class SplitListsTest {
  @TempDir Path tmp;

  final Map<String, String> addresses = new ConcurrentHashMap<>();
  final Map<String, Javalin> servers = new TreeMap<>();
  final Map<String, SplitLists> lists = new TreeMap<>();

  void start() throws IOException {
    for (String id : JarRoutesTest.IDS) {
      SplitLists s = new SplitLists(new JarStore(tmp.resolve(id).resolve("splits"),
          BlobKind.SPLITS), group(id), 1 << 20);
      Javalin app = Javalin.create(c -> {
        c.startup.showJavalinBanner = false;
        s.register(c.routes);
      });
      app.start("127.0.0.1", 0);
      servers.put(id, app);
      lists.put(id, s);
      addresses.put(id, "127.0.0.1:" + app.port());
    }
  }

  /** The group as {@code self} sees it: m1 leads; the addresses of the servers started. */
  JarGroup group(String self) {
    return JarGroup.fixed(self, JarRoutesTest.IDS, () -> "m1",
        id -> Optional.ofNullable(addresses.get(id)));
  }

  @AfterEach
  void stop() {
    servers.values().forEach(Javalin::stop);
  }

  static List<BookSplit> splits(int n) {
    List<BookSplit> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new BookSplit.File(new FileSplit("/in/part-" + i, 64L * i, 64,
          List.of("h" + i % 3))));
    }
    return out;
  }

  Path file(String id, String sha) {
    return tmp.resolve(id).resolve("splits").resolve(sha + ".splits");
  }

  @Test
  void aListUploadedToTheLeaderIsReadByAMasterThatLacksIt() throws Exception {
    start();
    List<BookSplit> planned = splits(2_000);
    byte[] bytes = SplitListCodec.encode(planned);
    StoredSplits ref = SplitListCodec.ref(bytes, planned.size());
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://" + addresses.get("m1") + BlobKind.SPLITS.path()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(JarRoutesTest.JSON.readTree(r.body()).path("sha256").asText())
        .isEqualTo(ref.sha256());
    Await.until(Duration.ofSeconds(120), "every master holds the list",
        () -> JarRoutesTest.IDS.stream().allMatch(id -> Files.exists(file(id, ref.sha256()))));
    assertThat(Files.readAllBytes(file("m2", ref.sha256()))).isEqualTo(bytes);

    // m3 lost its copy and the uploader is gone: m3 reads it from m2 and keeps it.
    Files.delete(file("m3", ref.sha256()));
    servers.remove("m1").stop();
    assertThat(lists.get("m3").loadAsync(ref).get()).contains(planned);
    assertThat(Files.readAllBytes(file("m3", ref.sha256()))).isEqualTo(bytes);

    // A reference whose count differs from the list is an error, not a list.
    assertThatThrownBy(() -> lists.get("m3").load(new StoredSplits(ref.sha256(), 3)))
        .isInstanceOf(IOException.class).hasMessageContaining("holds 2000 splits, not 3");
    // A list no master holds.
    assertThat(lists.get("m3").load(new StoredSplits("0".repeat(64), 1))).isEmpty();

    // Retention deletes this master's copy.
    lists.get("m2").drop(ref.sha256());
    Await.until(Duration.ofSeconds(120), "m2's copy deleted",
        () -> !Files.exists(file("m2", ref.sha256())));
  }

  @Test
  void aSplitStoreNamesItsFilesAndAnswersAsOne() throws Exception {
    JarStore store = new JarStore(tmp.resolve("s"), BlobKind.SPLITS);
    byte[] bytes = SplitListCodec.encode(splits(3));
    JarStore.Stored s = store.put(bytes, null);
    assertThat(s.path().getFileName().toString()).isEqualTo(s.sha256() + ".splits");
    assertThat(store.find(s.sha256())).isPresent();
    assertThatThrownBy(() -> store.put(bytes, "1".repeat(64)))
        .hasMessageStartingWith("split list sent as sha256 ");
    assertThat(store.delete(s.sha256())).isTrue();
    assertThat(store.find(s.sha256())).isEmpty();
    assertThatThrownBy(() -> new SplitLists(new JarStore(tmp.resolve("j")), group("m1"), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
