package dev.quern.cli;

import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quern cluster init --dir DIR}: creates the cluster's credentials ({@link CredentialsInit})
 * and says which file is what; never prints a secret.
 */
@Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Creates a cluster's credentials in --dir (readable by you alone): a CA, the node "
            + "identity every master and worker presents (PKCS12 key store, trust store, their "
            + "password) and the client token. Give the directory to every process with "
            + "--security DIR; clients read the token from it."})
final class ClusterInitCommand implements Callable<Integer> {
  @Option(names = "--dir", paramLabel = "DIR", required = true, description = "Where to create them (new, or empty and mode rwx------).")
  Path dir;

  @Option(names = "--host", paramLabel = "HOST", description = "A host name or address the node certificate names besides 127.0.0.1 and localhost (repeatable).")
  List<String> hosts = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    try {
      CredentialsInit.create(d, hosts);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Cluster credentials created in " + d + " (readable by you alone):");
    out.println("  " + ClusterCredentials.KEY_STORE + ", " + ClusterCredentials.TRUST_STORE + ", "
        + ClusterCredentials.STORE_PASSWORD + ", " + ClusterCredentials.SHUFFLE_SECRET
        + ": the node identity and shuffle secret every master and worker needs (give them "
        + "--security " + d + ")");
    out.println("  " + ClusterCredentials.CLIENT_TOKEN + ": what clients send (quern submit, "
        + "the API; QUERN_SECURITY=" + d + " also gives them the CA: the cluster speaks HTTPS); "
        + ClusterCredentials.CA_CERT + ": the CA certificate, for other clients (curl --cacert)");
    out.println("  " + ClusterCredentials.CA_KEY + ": the CA's key; no process needs it: keep it "
        + "off the cluster's machines if you can");
    out.flush();
    return 0;
  }
}
