package dev.quern.examples;

import dev.quern.api.JobSubmitter;
import dev.quern.master.local.LocalCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local cluster for a test class, installed as {@link JobSubmitter#current()} because the
 * example drivers submit through it, as they do under {@code quern submit}.
 *
 * <pre>{@code
 * @RegisterExtension static final CurrentLocalCluster CLUSTER = new CurrentLocalCluster(2);
 * }</pre>
 */
public final class CurrentLocalCluster implements BeforeAllCallback, AfterAllCallback {
  private final int workers;
  private LocalCluster cluster;
  private JobSubmitter previous;

  public CurrentLocalCluster(int workers) {
    this.workers = workers;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = LocalCluster.start(workers);
    previous = JobSubmitter.install(cluster);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    JobSubmitter.install(previous);
    cluster.close();
  }
}
