package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code export-nginx}: prints the nginx configuration equivalent to the routes {@code run} would serve. It reads
 * and checks everything as {@code check} does, so it never prints a configuration for a broken setup.
 */
@Command(name = "export-nginx", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = {"Print the nginx configuration (map, upstreams, server block) that serves the same routes as run "
    + "would; include it in nginx's http {} block. Problems are printed as by check, with exit code 1."})
final class ExportNginxCommand implements Callable<Integer> {

  @Mixin
  ConfigOptions options;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      ConfigOptions.Checked checked = options.check(System.getenv());
      String nginx = NginxExport.render(checked.config(), checked.files(), VersionProvider.version());
      ProblemReport.warnings(err, checked.files().warnings());
      ProblemReport.warnings(err, SocketIoNotes.warnings(checked.config()));
      ProblemReport.warnings(err, BackendTlsNotes.warnings(checked.config()));
      err.flush();
      out.print(nginx);
      out.flush();
      return 0;
    } catch (ConfigException e) {
      ProblemReport.problems(err, e);
      err.flush();
      return 1;
    }
  }
}
