package dev.quern.worker.security;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The one way a secured process serves HTTP: a Jetty connector that speaks TLS only (no plain
 * HTTP on the port, not even a redirect), presenting the node identity of the cluster's
 * credentials ({@value ClusterCredentials#KEY_STORE}). Clients are not asked for a certificate:
 * browsers and the CLI hold none; requests are authenticated by the client token or, for shuffle
 * fetches, by the per-job MAC ({@link ShuffleMac}).
 *
 * <pre>{@code
 * server.addConnector(HttpsConnector.create(server, new HttpConfiguration(), creds, host, port));
 * }</pre>
 */
public final class HttpsConnector {
  private HttpsConnector() {}

  /** A connector of {@code server} on {@code host:port} (0: any free port), TLS only. */
  public static ServerConnector create(Server server, HttpConfiguration http,
      ClusterCredentials credentials, String host, int port) {
    return create(server, -1, -1, http, credentials, host, port);
  }

  /** As above, with Jetty's acceptor and selector counts (-1: Jetty's default). */
  public static ServerConnector create(Server server, int acceptors, int selectors,
      HttpConfiguration http, ClusterCredentials credentials, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(credentials.sslContext());
    ssl.setNeedClientAuth(false);
    HttpConfiguration https = new HttpConfiguration(http);
    // One certificate for every name the node has: no virtual hosts to tell apart by SNI.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector c = new ServerConnector(server, acceptors, selectors,
        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
        new HttpConnectionFactory(https));
    c.setHost(host);
    c.setPort(port);
    return c;
  }
}
