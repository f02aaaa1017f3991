package dev.quern.master.cluster.jars;

import dev.quern.master.cluster.ClusterBoard;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.SplitListCodec;
import dev.quern.master.engine.StoredSplits;
import dev.quern.raft.node.RaftMonitor;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master's split lists ({@code DATA/splits}): the split store and its routes ({@link
 * BlobKind#SPLITS}: a client uploads a job's encoded split list to the leader, which puts it on a
 * majority of masters, as it does a jar), and how the leader reads a list back, from its own store
 * or, when it took over a job whose list it does not hold, from another master.
 *
 * <pre>{@code
 * SplitLists splits = SplitLists.open(config, monitor, board);
 * splits.register(app.routes);                      // POST/PUT/GET /api/cluster/splits...
 * splits.loadAsync(job.stored()).thenAccept(list -> ...);   // off the caller's thread
 * }</pre>
 */
public final class SplitLists {
  private static final Logger log = LoggerFactory.getLogger(SplitLists.class);

  private final JarStore store;
  private final JarGroup group;
  private final long maxBytes;
  private JarRoutes routes;
  /** Reads and fetches of lists, off the actor and HTTP threads that ask for them. */
  private final ExecutorService io = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "split-lists");
    t.setDaemon(true);
    return t;
  });
  /** Deletions, one at a time in the order asked. */
  private final ExecutorService deletes = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "split-list-deletes");
    t.setDaemon(true);
    return t;
  });

  public SplitLists(JarStore store, JarGroup group, long maxBytes) {
    if (store.kind() != BlobKind.SPLITS) {
      throw new IllegalArgumentException("not a split store: " + store.kind());
    }
    this.store = store;
    this.group = group;
    this.maxBytes = maxBytes;
  }

  /** The split lists of a master process, in {@code DATA/splits}, limited to its max jar size. */
  public static SplitLists open(MasterProcessConfig config, RaftMonitor monitor,
      ClusterBoard board) {
    return new SplitLists(JarRoutes.open(config.data().resolve("splits"), BlobKind.SPLITS),
        JarGroup.of(config, monitor, board), config.maxJarBytes());
  }

  /** Serves the split store's routes ({@link JarRoutes}) on {@code on}. */
  public SplitLists register(JavalinDefaultRoutingApi on) {
    routes = JarRoutes.register(on, store, group, maxBytes);
    return this;
  }

  public JarStore store() {
    return store;
  }

  /**
   * The list {@code ref} names, decoded: from this master's store, else from another master (kept
   * here then); empty when no master that answered holds it. Blocks on disk and network.
   *
   * @throws IOException if it cannot be read, or is not a list of {@code ref.count()} splits
   */
  public Optional<List<BookSplit>> load(StoredSplits ref) throws IOException {
    Optional<JarStore.Stored> found = routes != null ? routes.findAnywhere(ref.sha256())
        : store.find(ref.sha256());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    List<BookSplit> splits;
    try {
      // The store checked the bytes against their hash when it put them.
      splits = SplitListCodec.decode(Files.readAllBytes(found.get().path()));
    } catch (IllegalArgumentException e) {
      throw new IOException("split list " + ref.sha256() + " is unreadable: " + e.getMessage(), e);
    }
    if (splits.size() != ref.count()) {
      throw new IOException("split list " + ref.sha256() + " holds " + splits.size()
          + " splits, not " + ref.count());
    }
    return Optional.of(splits);
  }

  /** {@link #load} on a thread of its own. */
  public CompletableFuture<Optional<List<BookSplit>>> loadAsync(StoredSplits ref) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return load(ref);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, io);
  }

  /**
   * Retention: deletes this master's copy of a list no job of the book names any more, on a
   * thread of its own (the caller may be the thread that applies log entries); deletions run in
   * the order asked.
   */
  public void drop(String sha256) {
    deletes.execute(() -> {
      try {
        if (store.delete(sha256)) {
          log.info("split list {} deleted: no job in the book names it", sha256);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("split list {} could not be deleted: {}", sha256, e.toString());
      }
    });
  }
}
