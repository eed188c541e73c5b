package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * The self-signed certificate of development mode: {@code localhost}, 127.0.0.1 and ::1, ECDSA P-256, kept in the
 * state directory and reused until it is within 30 days of expiry, so a browser exception stays valid across
 * restarts.
 */
public final class DevCertificate {

  static final String CERT_FILE = "dev-cert.pem";
  static final String KEY_FILE = "dev-key.pem";
  private static final Duration LIFETIME = Duration.ofDays(365);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private DevCertificate() {
  }

  /** Returns the pair in {@code stateDir}, making it first when it is missing, unreadable or about to expire. */
  public static CertificateConfig ensure(Path stateDir, Instant now) throws IOException {
    CertificateConfig pair = CertificateConfig.pem(stateDir.resolve(CERT_FILE), stateDir.resolve(KEY_FILE));
    try {
      LoadedCertificate existing = CertificateLoader.load(pair, "dev", now.plus(RENEW_BEFORE));
      if (existing != null) {
        return pair;
      }
    } catch (io.pomelo.sidecar.config.ConfigException e) {
      // missing, broken or expiring: make a new one below
    }
    Files.createDirectories(stateDir);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name name = new X500Name("CN=localhost, O=pomelo-sidecar development");
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
        new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LIFETIME)), name, keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.iPAddress, "::1")}));
      X509Certificate cert = new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      writeAtomically(pair.keyFile(), ServerTls.pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
      writeAtomically(pair.certFile(), ServerTls.pem("CERTIFICATE", cert.getEncoded()), false);
      return pair;
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot make the development certificate: " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, String content, boolean secret) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (secret) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
