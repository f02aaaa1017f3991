package dev.quern.worker.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCredentialsTest {
  @TempDir Path tmp;

  @Test
  void initWritesOwnerOnlyFilesThatLoadAndChainToTheCa() throws Exception {
    Path dir = tmp.resolve("creds");
    CredentialsInit.create(dir, List.of("10.1.2.3", "node-a.example"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    List<String> names = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    }
    assertEquals(7, names.size(), names::toString);
    for (String n : names) {
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve(n))), n);
    }
    ClusterCredentials c = ClusterCredentials.load(dir);
    X509Certificate ca = (X509Certificate) c.trustStore().getCertificate(
        ClusterCredentials.CA_ALIAS);
    Certificate[] chain = c.keyStore().getCertificateChain(ClusterCredentials.NODE_ALIAS);
    X509Certificate node = (X509Certificate) chain[0];
    node.verify(ca.getPublicKey());
    node.checkValidity();
    assertEquals(-1, node.getBasicConstraints(), "the node is no CA");
    assertTrue(ca.getBasicConstraints() >= 0, "the CA is one");
    List<String> sans = new ArrayList<>();
    Collection<List<?>> alt = node.getSubjectAlternativeNames();
    alt.forEach(e -> sans.add(String.valueOf(e.get(1))));
    assertTrue(sans.containsAll(List.of("127.0.0.1", "localhost", "10.1.2.3", "node-a.example")),
        sans::toString);
    String token = Files.readString(dir.resolve(ClusterCredentials.CLIENT_TOKEN)).trim();
    assertTrue(c.isClientToken(token));
    assertFalse(c.isClientToken(token + "x"));
    assertFalse(c.isClientToken(null));
    assertFalse(c.toString().contains(token));
    assertFalse(c.toString().contains(new String(c.storePassword())));
  }

  @Test
  void initNeverOverwritesAndRefusesAnOpenDirectory() throws Exception {
    Path dir = tmp.resolve("creds");
    CredentialsInit.create(dir, List.of());
    byte[] token = Files.readAllBytes(dir.resolve(ClusterCredentials.CLIENT_TOKEN));
    IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
        () -> CredentialsInit.create(dir, List.of()));
    assertTrue(again.getMessage().contains("already holds"), again.getMessage());
    assertArrayEquals(token, Files.readAllBytes(dir.resolve(ClusterCredentials.CLIENT_TOKEN)));

    Path open = Files.createDirectory(tmp.resolve("open"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CredentialsInit.create(open, List.of()));
    assertTrue(e.getMessage().contains("open to others"), e.getMessage());
    try (var files = Files.list(open)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void loadNamesTheMissingOrBrokenFile() throws Exception {
    Path dir = tmp.resolve("creds");
    CredentialsInit.create(dir, List.of());
    String password = Files.readString(dir.resolve(ClusterCredentials.STORE_PASSWORD)).trim();
    Files.delete(dir.resolve(ClusterCredentials.TRUST_STORE));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ClusterCredentials.load(dir));
    assertTrue(missing.getMessage().contains(dir.resolve(ClusterCredentials.TRUST_STORE)
        .toString()), missing.getMessage());
    assertTrue(missing.getMessage().contains("quern cluster init"), missing.getMessage());

    Path other = tmp.resolve("other");
    CredentialsInit.create(other, List.of());
    Files.delete(other.resolve(ClusterCredentials.STORE_PASSWORD));
    Files.writeString(other.resolve(ClusterCredentials.STORE_PASSWORD), "wrong-password\n");
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> ClusterCredentials.load(other));
    assertTrue(wrong.getMessage().contains(ClusterCredentials.KEY_STORE), wrong.getMessage());
    assertFalse(wrong.getMessage().contains("wrong-password"), wrong.getMessage());
    assertFalse(missing.getMessage().contains(password), missing.getMessage());

    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> ClusterCredentials.load(tmp.resolve("absent")));
    assertTrue(none.getMessage().contains("quern cluster init"), none.getMessage());
  }

  /** Mutual TLS with the contexts: a peer of the same cluster gets in, one of another CA not. */
  @Test
  void tlsAdmitsTheClusterAndRefusesAForeignCa() throws Exception {
    CredentialsInit.create(tmp.resolve("a"), List.of());
    CredentialsInit.create(tmp.resolve("b"), List.of());
    ClusterCredentials a = ClusterCredentials.load(tmp.resolve("a"));
    ClusterCredentials b = ClusterCredentials.load(tmp.resolve("b"));
    assertEquals("hello", exchange(a, a.sslContext()));
    assertThrows(SSLException.class, () -> exchange(a, b.sslContext()));
    // A client that trusts the cluster's CA but holds another CA's identity: the server refuses.
    assertThrows(java.io.IOException.class, () -> exchange(a, mixed(b, a)));
  }

  private static SSLContext mixed(ClusterCredentials keys, ClusterCredentials trust)
      throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys.keyStore(), keys.storePassword());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust.trustStore());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** One line from a client with {@code client}'s credentials to a server with {@code server}'s. */
  private static String exchange(ClusterCredentials server, SSLContext client)
      throws Exception {
    try (SSLServerSocket ss = (SSLServerSocket) server.sslContext().getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      ss.setSoTimeout(10_000);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          s.setSoTimeout(10_000);
          InputStream in = s.getInputStream();
          byte[] buf = in.readNBytes(5);
          s.getOutputStream().write(buf);
          s.getOutputStream().flush();
        } catch (Exception e) {
          // the client sees the failed handshake
        }
      });
      try (SSLSocket s = (SSLSocket) client.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        s.setSoTimeout(10_000);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        out.write("hello".getBytes());
        out.flush();
        byte[] back = s.getInputStream().readNBytes(5);
        if (back.length < 5) {
          throw new java.io.EOFException("the server closed the connection");
        }
        return new String(back);
      } finally {
        served.get(20, TimeUnit.SECONDS);
      }
    }
  }
}
