package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;

import java.io.PrintWriter;
import java.util.List;

/** How problems and warnings reach the operator: one per line, each naming file, place, value and rule. */
final class ProblemReport {

  private ProblemReport() {
  }

  static void problems(PrintWriter err, ConfigException e) {
    err.println("pomelo-sidecar: the configuration has " + e.problems().size()
      + (e.problems().size() == 1 ? " problem:" : " problems:"));
    for (ConfigProblem p : e.problems()) {
      err.println("  " + p);
    }
  }

  static void warnings(PrintWriter err, List<String> warnings) {
    for (String warning : warnings) {
      err.println("warning: " + warning);
    }
  }
}
