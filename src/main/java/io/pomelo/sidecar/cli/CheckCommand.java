package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.admin.RouteView;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.run.LoadedFiles;
import io.pomelo.sidecar.acme.ManagedCertificate;
import io.pomelo.sidecar.acme.ManagedStatus;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.vertx.core.json.JsonArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.security.cert.CertificateParsingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code check}, the sidecar's {@code nginx -t}: reads everything {@code run} reads, checks it the same way, asks
 * the master it would follow ({@link MasterCheck}) and prints the routes it would serve, so a deploy can test a new
 * servers.json, certificate or master setting before it goes live.
 */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = {"Read the configuration, servers.json and the certificates as run does, ask the Pomelo master "
    + "run would follow for its list, print the routes and exit 0; or print every problem and exit 1 (a master "
    + "that does not answer is one with master.follow: true). Warnings (that master with master.follow: auto) are "
    + "printed but do not fail."})
final class CheckCommand implements Callable<Integer> {

  @Mixin
  ConfigOptions options;

  @Option(names = "--json", description = "Print the routes as a JSON array, as GET /api/routes answers.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigOptions.Checked checked;
    MasterCheck.Outcome master;
    try {
      checked = options.check(System.getenv());
      master = MasterCheck.run(checked.config(), System.getenv());
    } catch (ConfigException e) {
      ProblemReport.problems(err, e);
      err.flush();
      return 1;
    }
    ProblemReport.warnings(err, checked.files().warnings());
    ProblemReport.warnings(err, SocketIoNotes.warnings(checked.config()));
    ProblemReport.warnings(err, BackendTlsNotes.warnings(checked.config()));
    ProblemReport.warnings(err, master.warnings());
    switch (master.verdict()) {
      case WARNING -> ProblemReport.warnings(err, List.of(master.line()));
      case ERROR -> err.println(master.line());
      // stdout holds only the routes array with --json, as GET /api/routes answers.
      case OK -> {
        if (json) {
          err.println(master.line());
        }
      }
    }
    err.flush();
    if (json) {
      JsonArray routes = new JsonArray();
      for (Route route : checked.files().plan().table().routes()) {
        routes.add(RouteView.of(route));
      }
      out.println(routes.encodePrettily());
    } else {
      out.print(summary(checked.config(), checked.files()));
      if (master.verdict() == MasterCheck.Verdict.OK) {
        out.println(master.line());
      }
      out.println();
      out.print(RouteTableText.render(checked.files().plan().table()));
    }
    out.flush();
    return master.verdict() == MasterCheck.Verdict.ERROR ? 1 : 0;
  }

  private static String summary(SidecarConfig config, LoadedFiles files) {
    StringBuilder b = new StringBuilder();
    int routes = files.plan().table().routes().size();
    b.append(config.file()).append(": ok, ").append(routes).append(routes == 1 ? " route" : " routes").append('\n');
    b.append("servers: ").append(files.servers().path()).append(" (environment ")
      .append(files.servers().environment()).append(", ").append(files.servers().frontends().size())
      .append(files.servers().frontends().size() == 1 ? " frontend of " : " frontends of ").append(files.servers().serverCount()).append(" servers)\n");
    b.append("listen:  ").append(config.listen().host()).append(':').append(config.listen().port())
      .append(" (TLS), admin API on ").append(config.admin().listener().host()).append(':')
      .append(config.admin().listener().port()).append('\n');
    for (LoadedCertificate cert : files.certificates()) {
      b.append("certificate: ").append(cert.source().isPem() ? cert.source().certFile() : cert.source().keystore())
        .append(" for ").append(String.join(", ", names(cert)))
        .append(", valid until ").append(cert.leaf().getNotAfter().toInstant()).append('\n');
    }
    if (config.tls().acme() != null) {
      ManagedStatus ordered = ManagedCertificate.offline(config.stateDir(), config.tls().acme(), Instant.now());
      b.append("ordered: ").append(String.join(", ", ordered.names())).append(" from ").append(ordered.directory())
        .append(ordered.notAfter() == null ? ": none stored yet, a self-signed stand-in is served until the CA issues one"
          : ": valid until " + ordered.notAfter() + ", renewed from " + ordered.nextAttempt())
        .append('\n');
      if (ordered.lastError() != null) {
        b.append("  last failure: ").append(ordered.lastError()).append('\n');
      }
    }
    b.append(SocketIoNotes.summary(config, files.plan().table())).append('\n');
    return b.toString();
  }

  /** The DNS names and addresses the certificate is for; its subject when it has none. */
  static List<String> names(LoadedCertificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = cert.leaf().getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> name : alternatives) {
          // 2 is a DNS name, 7 an IP address (RFC 5280 GeneralName).
          if (Integer.valueOf(2).equals(name.get(0)) || Integer.valueOf(7).equals(name.get(0))) {
            names.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // fall back to the subject below
    }
    if (names.isEmpty()) {
      names.add(cert.leaf().getSubjectX500Principal().getName());
    }
    return names;
  }
}
