package dev.quern.cli;

import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.HttpAuth;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which client token a command sends to the masters: that of the credentials directory the
 * environment variable {@value HttpAuth#ENV} names, else that of a cluster started with
 * {@code quern cluster start --secure} in {@code clusterDir} ({@code clusterDir/security}), else
 * none (an unsecured cluster).
 */
final class ClientToken {
  private ClientToken() {}

  /**
   * How a command reaches the masters: the token and the cluster CA (HTTPS) of the same
   * credentials directory {@link #find} reads, or plain HTTP without a token when there is none.
   */
  static ClusterAccess access(Path clusterDir) {
    try {
      String env = System.getenv(HttpAuth.ENV);
      if (env != null && !env.isBlank()) {
        return ClusterAccess.fromDir(Path.of(env.trim()));
      }
      return ClusterAccess.ifPresent(clusterDir.resolve(ClusterStartCommand.SECURITY));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  /** The token, or null when there is none to send. */
  static String find(Path clusterDir) {
    try {
      var env = HttpAuth.tokenFromEnvironment();
      if (env.isPresent()) {
        return env.get();
      }
      Path dir = clusterDir.resolve(ClusterStartCommand.SECURITY);
      return Files.isRegularFile(dir.resolve(ClusterCredentials.CLIENT_TOKEN))
          ? HttpAuth.token(dir) : null;
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }
}
