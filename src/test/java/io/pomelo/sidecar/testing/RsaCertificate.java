package io.pomelo.sidecar.testing;

import io.pomelo.sidecar.config.CertificateConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A self-signed RSA 2048 certificate for one DNS name, as PEM files: the production code makes only ECDSA ones, and
 * the tests need both key types to see that each is served to the clients that can use it.
 */
public final class RsaCertificate {

  /** An IPv4 literal becomes an IP address SAN, as a certificate for a server dialled by address has. */
  private static final java.util.regex.Pattern IP_LITERAL = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]+){3}");

  private RsaCertificate() {
  }

  public static CertificateConfig write(Path certFile, Path keyFile, String name) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
      BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofHours(1))),
      Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic())
      .addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(IP_LITERAL.matcher(name).matches() ? GeneralName.iPAddress
          : GeneralName.dNSName, name)))
      .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    return CertificateConfig.pem(certFile, keyFile);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
