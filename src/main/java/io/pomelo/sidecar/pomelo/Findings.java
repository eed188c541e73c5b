package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/** Problems and warnings gathered over one read of one file, so that all of them are reported at once. */
final class Findings {

  private final String file;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  Findings(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  /** @param value the offending value as JSON, or null when it is missing */
  void problem(String place, String value, String rule) {
    problems.add(new ConfigProblem(file, place, value, rule));
  }

  /** Worded like a problem ({@code file: place: message}) so the two read alike in logs. */
  void warn(String place, String message) {
    warnings.add(place.isEmpty() ? file + ": " + message : file + ": " + place + ": " + message);
  }

  int problemCount() {
    return problems.size();
  }

  List<String> warnings() {
    return warnings;
  }

  void throwIfAny() throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
