package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.ReloadConfig;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;

/**
 * Reads a certificate and its key and checks them before anything is served with them: the files parse, the key
 * belongs to the leaf certificate, and the leaf is valid now. A bad pair is a {@link ConfigException} naming the
 * file and the rule, so a renewal gone wrong never replaces a working certificate.
 */
public final class CertificateLoader {

  private CertificateLoader() {
  }

  /** Each file is read through {@code files}: a regular file within its limit, or a problem naming it. */
  public static List<LoadedCertificate> loadAll(List<CertificateConfig> configs, Instant now, BoundedFile files)
    throws ConfigException {
    List<LoadedCertificate> loaded = new ArrayList<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      try {
        loaded.add(load(configs.get(i), "tls.certificates[" + i + "]", now, files));
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return loaded;
  }

  /** Like {@link #load(CertificateConfig, String, Instant, BoundedFile)}, held to the default size limit. */
  public static LoadedCertificate load(CertificateConfig config, String place, Instant now) throws ConfigException {
    return load(config, place, now, BoundedFile.limitedBy(ReloadConfig.defaults()));
  }

  public static LoadedCertificate load(CertificateConfig config, String place, Instant now, BoundedFile files)
    throws ConfigException {
    LoadedCertificate cert = config.isPem() ? loadPem(config, place, files) : loadKeystore(config, place, files);
    String file = String.valueOf(config.isPem() ? config.certFile() : config.keystore());
    X509Certificate leaf = cert.leaf();
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new ConfigException(file, place, "notAfter " + leaf.getNotAfter().toInstant(), "the certificate has expired");
    } catch (CertificateNotYetValidException e) {
      throw new ConfigException(file, place, "notBefore " + leaf.getNotBefore().toInstant(),
        "the certificate is not valid yet");
    }
    if (!keyMatches(cert.key(), leaf)) {
      throw new ConfigException(String.valueOf(config.isPem() ? config.keyFile() : config.keystore()), place, null,
        "the private key does not belong to the certificate " + leaf.getSubjectX500Principal().getName());
    }
    return cert;
  }

  private static LoadedCertificate loadPem(CertificateConfig config, String place, BoundedFile files)
    throws ConfigException {
    byte[] certBytes = files.read(config.certFile(), place + ".certFile");
    byte[] keyBytes = files.read(config.keyFile(), place + ".keyFile");
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(certBytes))) {
        chain.add((X509Certificate) c);
      }
    } catch (GeneralSecurityException e) {
      throw new ConfigException(config.certFile().toString(), place + ".certFile", null,
        "not a PEM certificate chain: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new ConfigException(config.certFile().toString(), place + ".certFile", null,
        "holds no certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    return new LoadedCertificate(config, chain, pemKey(keyBytes, config.keyFile(), place + ".keyFile"));
  }

  private static PrivateKey pemKey(byte[] bytes, Path file, String place) throws ConfigException {
    try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.US_ASCII)))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    } catch (IOException e) {
      throw new ConfigException(file.toString(), place, null, "not a PEM private key: " + e.getMessage());
    }
    throw new ConfigException(file.toString(), place, null,
      "holds no unencrypted private key (expected -----BEGIN PRIVATE KEY-----, RSA or EC PRIVATE KEY)");
  }

  private static LoadedCertificate loadKeystore(CertificateConfig config, String place, BoundedFile files)
    throws ConfigException {
    byte[] bytes = files.read(config.keystore(), place + ".keystore");
    char[] password = config.password() == null ? new char[0] : config.password().toCharArray();
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          Key key = store.getKey(alias, password);
          List<X509Certificate> chain = new ArrayList<>();
          for (Certificate c : store.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
          }
          if (key instanceof PrivateKey privateKey && !chain.isEmpty()) {
            return new LoadedCertificate(config, chain, privateKey);
          }
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      // Never echo the password; the message of a wrong one says so without it.
      throw new ConfigException(config.keystore().toString(), place + ".keystore", null,
        "not a readable PKCS#12 keystore with this password: " + e.getMessage());
    }
    throw new ConfigException(config.keystore().toString(), place + ".keystore", null,
      "holds no private key entry with a certificate chain");
  }

  /** Signs a probe with the key and verifies it with the certificate: works for RSA, EC and EdDSA alike. */
  private static boolean keyMatches(PrivateKey key, X509Certificate cert) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm());
    }
    try {
      byte[] probe = "pomelo-sidecar key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
