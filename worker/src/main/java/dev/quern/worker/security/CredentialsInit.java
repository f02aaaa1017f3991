package dev.quern.worker.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Creates a cluster's credentials ({@code quern cluster init}) in a directory readable by its
 * owner alone: a CA (EC P-256 key and self-signed certificate), one node identity shared by every
 * master and worker (an EC P-256 key and a certificate the CA signed, for TLS server and client
 * use, naming 127.0.0.1, localhost and the hosts given), the PKCS12 key and trust stores that
 * Pekko and Jetty read, their random password, a random shuffle secret (the root of the per-job
 * shuffle keys) and a random client token. The files are created
 * with owner-only permissions (the directory rwx------, each file rw-------), never widened after.
 */
public final class CredentialsInit {
  /** How long the certificates are valid. */
  public static final Duration VALIDITY = Duration.ofDays(3650);
  private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final List<String> FILES = List.of(ClusterCredentials.CA_CERT,
      ClusterCredentials.CA_KEY, ClusterCredentials.KEY_STORE, ClusterCredentials.TRUST_STORE,
      ClusterCredentials.STORE_PASSWORD, ClusterCredentials.SHUFFLE_SECRET,
      ClusterCredentials.CLIENT_TOKEN);

  private CredentialsInit() {}

  /**
   * Writes new credentials into {@code dir} (created if absent; an existing one must be owner-only
   * and hold none of the files); {@code hosts}: names or addresses the node certificate names
   * besides 127.0.0.1 and localhost. Throws {@link IllegalArgumentException} naming what stops it.
   */
  public static void create(Path dir, List<String> hosts) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    prepare(d);
    SecureRandom random = new SecureRandom();
    try {
      KeyPair caKeys = ecKeys(random);
      X500Name caName = new X500Name("CN=Quern cluster CA " + hex(random, 8));
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(random),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), caName,
          caKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = certificate(ca, caKeys);

      KeyPair nodeKeys = ecKeys(random);
      X509v3CertificateBuilder node = new JcaX509v3CertificateBuilder(caCert, serial(random),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)),
          new X500Name("CN=quern-node"), nodeKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
              KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, altNames(hosts))
          .addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(caCert))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(nodeKeys.getPublic()));
      X509Certificate nodeCert = certificate(node, caKeys);

      String password = token(random);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(ClusterCredentials.NODE_ALIAS, nodeKeys.getPrivate(),
          password.toCharArray(), new Certificate[] {nodeCert, caCert});
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(ClusterCredentials.CA_ALIAS, caCert);

      write(d, ClusterCredentials.CA_CERT, pem(caCert));
      write(d, ClusterCredentials.CA_KEY, pem(new JcaPKCS8Generator(caKeys.getPrivate(), null)));
      write(d, ClusterCredentials.KEY_STORE, stored(keys, password));
      write(d, ClusterCredentials.TRUST_STORE, stored(trust, password));
      write(d, ClusterCredentials.STORE_PASSWORD, (password + "\n").getBytes(StandardCharsets.UTF_8));
      write(d, ClusterCredentials.SHUFFLE_SECRET,
          (token(random) + "\n").getBytes(StandardCharsets.UTF_8));
      // Last: a directory with a token is complete.
      write(d, ClusterCredentials.CLIENT_TOKEN,
          (token(random) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cluster credentials: cannot create them in " + d + " ("
          + e.getMessage() + ")", e);
    }
  }

  /** Whether {@code dir} holds a complete set (its client token is written last). */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(ClusterCredentials.CLIENT_TOKEN));
  }

  private static void prepare(Path d) throws IOException {
    if (!Files.exists(d)) {
      Files.createDirectories(d.getParent());
      Files.createDirectory(d, DIR_MODE);
      return;
    }
    if (!Files.isDirectory(d)) {
      throw new IllegalArgumentException("--dir " + d + ": not a directory");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
    for (PosixFilePermission p : perms) {
      if (!p.name().startsWith("OWNER")) {
        throw new IllegalArgumentException("--dir " + d + " is open to others ("
            + PosixFilePermissions.toString(perms) + "): give a new directory, or one with "
            + "mode rwx------");
      }
    }
    for (String f : FILES) {
      if (Files.exists(d.resolve(f))) {
        throw new IllegalArgumentException("--dir " + d + " already holds " + f
            + ": credentials are never overwritten; give a new directory");
      }
    }
  }

  private static void write(Path dir, String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(f,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE))) {
      out.write(bytes);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalArgumentException(f + " already exists: credentials are never "
          + "overwritten");
    }
  }

  private static KeyPair ecKeys(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    return g.generateKeyPair();
  }

  private static X509Certificate certificate(X509v3CertificateBuilder b, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }

  /** 127.0.0.1, ::1, localhost and each host: an address literal as such, else a DNS name. */
  static GeneralNames altNames(List<String> hosts) {
    Set<String> all = new LinkedHashSet<>(List.of("127.0.0.1", "::1", "localhost"));
    for (String h : hosts) {
      String t = h.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!t.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
        throw new IllegalArgumentException("--host: not a host name or address: '" + t + "'");
      }
      all.add(t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t);
    }
    List<GeneralName> names = new ArrayList<>();
    for (String h : all) {
      names.add(isAddress(h) ? new GeneralName(GeneralName.iPAddress, h)
          : new GeneralName(GeneralName.dNSName, h));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static boolean isAddress(String h) {
    if (h.contains(":") || h.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
      try {
        InetAddress.getByName(h); // a literal: no lookup
        return true;
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("--host: bad address '" + h + "'");
      }
    }
    return false;
  }

  private static byte[] stored(KeyStore ks, String password) throws IOException,
      GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, password.toCharArray());
    return out.toByteArray();
  }

  private static byte[] pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o instanceof JcaPKCS8Generator g ? g.generate() : o);
    }
    return s.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  /** 32 random bytes, URL-safe Base64 without padding (43 characters). */
  static String token(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String hex(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }
}
