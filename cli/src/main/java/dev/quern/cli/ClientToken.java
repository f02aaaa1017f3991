package dev.quern.cli;

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
