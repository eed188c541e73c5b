package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.AcmeConfig;
import io.pomelo.sidecar.config.CertificateConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;

/**
 * Where the ordered certificate and the account key live: {@code <state>/acme/<CA host>/}, directories 0700 and
 * keys 0600, so that a restart reuses both and several sidecars on one state directory share them. Every file is
 * replaced by a rename, so a reader sees the old file or the new one, never half of one.
 */
public final class AcmeStore {

  private final Path caDir;
  private final Path certificateDir;

  private AcmeStore(Path caDir, Path certificateDir) {
    this.caDir = caDir;
    this.certificateDir = certificateDir;
  }

  /** The store of {@code acme}'s certificate under {@code stateDir}; nothing is made on disk yet. */
  public static AcmeStore of(Path stateDir, AcmeConfig acme) {
    String host = acme.directory().getHost() + (acme.directory().getPort() > 0 ? "_" + acme.directory().getPort() : "");
    Path caDir = stateDir.resolve("acme").resolve(safe(host));
    return new AcmeStore(caDir, caDir.resolve(safe(acme.domains().get(0))));
  }

  /** A name made of letters, digits, dots, dashes and underscores only: it becomes a file name. */
  private static String safe(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
  }

  /** The stored certificate's files, which may not exist yet. */
  public CertificateConfig certificate() {
    return CertificateConfig.pem(certificateDir.resolve("fullchain.pem"), certificateDir.resolve("privkey.pem"));
  }

  /** A self-signed stand-in served until the first certificate arrives, so the port can bind (and TLS-ALPN-01). */
  public CertificateConfig placeholder() {
    return CertificateConfig.pem(certificateDir.resolve("placeholder.pem"), certificateDir.resolve("placeholder-key.pem"));
  }

  /** The lock file that one sidecar at a time holds while it orders. */
  Path lockFile() {
    return certificateDir.resolve("order.lock");
  }

  /** The account key, made and stored on first use: PKCS#8 private key, then the X.509 public key, both PEM. */
  KeyPair accountKey() throws IOException {
    Path file = caDir.resolve("account-key.pem");
    if (Files.isRegularFile(file)) {
      return readKeyPair(file);
    }
    KeyPair key = CertificateOrder.ecKey("secp256r1");
    write(file, pem("PRIVATE KEY", key.getPrivate().getEncoded()) + pem("PUBLIC KEY", key.getPublic().getEncoded()),
      true);
    return key;
  }

  /** A PEM block, 64 characters a line. */
  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  private static KeyPair readKeyPair(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    try {
      KeyFactory keys = KeyFactory.getInstance("EC");
      return new KeyPair(keys.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", file))),
        keys.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", file))));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + " must hold the ACME account's EC key as the sidecar wrote it (" + e.getMessage()
        + "); move it away to make a new account", e);
    }
  }

  private static byte[] block(String text, String type, Path file) throws IOException {
    int begin = text.indexOf("-----BEGIN " + type + "-----");
    int end = text.indexOf("-----END " + type + "-----");
    if (begin < 0 || end < begin) {
      throw new IOException(file + " has no " + type + " block; move it away to make a new account");
    }
    return Base64.getMimeDecoder().decode(text.substring(begin + type.length() + 16, end));
  }

  /** Stores a new certificate: the key first, then the chain, so the chain's change is the last one seen. */
  void storeCertificate(String chainPem, String keyPem) throws IOException {
    write(certificate().keyFile(), keyPem, true);
    write(certificate().certFile(), chainPem, false);
  }

  /** Keeps the last failure for {@code check}, which reads it without the running process; null clears it. */
  void recordError(String error) throws IOException {
    Path file = certificateDir.resolve("last-error.txt");
    if (error == null) {
      Files.deleteIfExists(file);
    } else {
      write(file, error.replaceAll("\\p{Cntrl}", "?") + "\n", false);
    }
  }

  /** The failure {@link #recordError} kept, or null. */
  String lastError() {
    try {
      Path file = certificateDir.resolve("last-error.txt");
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Makes the directories of the store, owner-only. */
  void makeDirectories() throws IOException {
    for (Path dir : new Path[] {caDir.getParent(), caDir, certificateDir}) {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private void write(Path file, String content, boolean secret) throws IOException {
    makeDirectories();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r-----")));
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
