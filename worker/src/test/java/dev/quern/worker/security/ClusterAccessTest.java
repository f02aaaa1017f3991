package dev.quern.worker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client takes from a credentials directory ({@link ClusterAccess}), and the per-job
 * shuffle keys and MACs ({@link ShuffleMac}) checked against the JDK's HMAC and RFC 4231.
 */
class ClusterAccessTest {
  @TempDir Path tmp;

  @Test
  void aClientNeedsTheTokenTrustStoreAndPasswordButNotTheNodeKey() throws Exception {
    Path dir = tmp.resolve("creds");
    CredentialsInit.create(dir, List.of());
    ClusterCredentials creds = ClusterCredentials.load(dir);
    // A client's copy: no node key, no CA key, no shuffle secret.
    Path client = Files.createDirectory(tmp.resolve("client"));
    for (String f : List.of(ClusterCredentials.CLIENT_TOKEN, ClusterCredentials.TRUST_STORE,
        ClusterCredentials.STORE_PASSWORD)) {
      Files.copy(dir.resolve(f), client.resolve(f));
    }
    ClusterAccess access = ClusterAccess.fromDir(client);
    assertTrue(access.secure());
    assertEquals("https", access.scheme());
    assertEquals("https://127.0.0.1:8080/api/cluster",
        access.uri("127.0.0.1:8080", "/api/cluster").toString());
    assertEquals(creds.clientToken(), access.token());
    HttpRequest r = access.authorize(HttpRequest.newBuilder(access.uri("h:1", "/"))).build();
    assertEquals(HttpAuth.bearer(creds.clientToken()), r.headers().firstValue(HttpAuth.HEADER)
        .orElseThrow());
    assertFalse(access.toString().contains(creds.clientToken()), access::toString);
    assertTrue(ClusterAccess.ifPresent(client).secure());
    assertFalse(ClusterAccess.ifPresent(tmp.resolve("nothing-here")).secure());

    ClusterAccess none = ClusterAccess.NONE;
    assertEquals("http://h:1/x", none.uri("h:1", "/x").toString());
    assertTrue(none.authorize(HttpRequest.newBuilder(none.uri("h:1", "/"))).build().headers()
        .firstValue(HttpAuth.HEADER).isEmpty());
    assertNull(none.tls());

    Files.delete(client.resolve(ClusterCredentials.TRUST_STORE));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterAccess.fromDir(client));
    assertTrue(e.getMessage().contains(ClusterCredentials.TRUST_STORE), e.getMessage());
    assertFalse(e.getMessage().contains(creds.clientToken()), e.getMessage());
  }

  @Test
  void jobKeysAreHmacsOfTheJobIdUnderTheClusterSecret() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    CredentialsInit.create(a, List.of());
    CredentialsInit.create(b, List.of());
    ClusterCredentials ca = ClusterCredentials.load(a);
    byte[] secret = Files.readString(a.resolve(ClusterCredentials.SHUFFLE_SECRET)).trim()
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    byte[] expected = mac.doFinal("job-0001".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(Arrays.equals(expected, ca.shuffleKey("job-0001")));
    assertFalse(Arrays.equals(ca.shuffleKey("job-0001"), ca.shuffleKey("job-0002")));
    assertFalse(Arrays.equals(ca.shuffleKey("job-0001"),
        ClusterCredentials.load(b).shuffleKey("job-0001")), "another cluster, another key");
  }

  @Test
  void macsFollowRfc4231AndVerifyOnlyTheirPath() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    byte[] key = "Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String mac = ShuffleMac.sign(key, "what do ya want for nothing?");
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        HexFormat.of().formatHex(Base64.getUrlDecoder().decode(mac)));
    String path = "/shuffle/job-0001/m-00000_0/3";
    String good = ShuffleMac.sign(key, path);
    assertTrue(ShuffleMac.verify(key, path, good));
    assertTrue(ShuffleMac.verify(key, path, " " + good + " "));
    assertFalse(ShuffleMac.verify(key, path, null));
    assertFalse(ShuffleMac.verify(key, path, ""));
    assertFalse(ShuffleMac.verify(key, "/shuffle/job-0001/m-00000_0/4", good));
    assertFalse(ShuffleMac.verify("other".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        path, good));
    assertNotEquals(good, ShuffleMac.sign(key, path + "/"));
  }
}
